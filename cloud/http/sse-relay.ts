import type { Context } from "hono";
import { streamSSE } from "hono/streaming";

const HEARTBEAT_MS = 15_000;

export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/**
 * A server-sent-events response fed by a subscription: a `ready` event first, then each message
 * in order, and a comment every 15 s so proxies keep the connection open. Messages queue while a
 * write is in flight, so a slow client delays only itself; the subscription ends with the stream.
 */
export function sseRelay(c: Context, subscribe: (send: (message: SseMessage) => void) => () => void): Response {
  return streamSSE(c, async (stream) => {
    const queue: SseMessage[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = subscribe((message) => {
      queue.push(message);
      wake?.();
    });
    let open = true;
    stream.onAbort(() => {
      open = false;
      wake?.();
    });
    const heartbeat = setInterval(() => void stream.write(": keep-alive\n\n"), HEARTBEAT_MS);
    try {
      await stream.writeSSE({ event: "ready", data: "{}" });
      while (open) {
        const message = queue.shift();
        if (message) {
          await stream.writeSSE(message);
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
    }
  });
}
