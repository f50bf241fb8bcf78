export interface SseEvent {
  event: string;
  data: string;
  /** performance.now() when the event was read. */
  atMs: number;
}

/** Reads a server-sent-events stream with a bearer token, as the console does. */
export async function openSse(url: string, token: string) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`SSE ${url} answered ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let buffer = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1];
          if (!event) continue;
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.replace(/^data: ?/, ""))
            .join("\n");
          events.push({ event, data, atMs: performance.now() });
          waiters.splice(0).forEach((wake) => wake());
        }
      }
    } catch {
      // aborted
    }
  })();

  return {
    events,
    /** Waits for the next event named `name` not yet taken. */
    async next(name: string, timeoutMs = 5000): Promise<SseEvent> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const index = events.findIndex((e) => e.event === name);
        if (index >= 0) return events.splice(index, 1)[0];
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`no "${name}" event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => controller.abort(),
  };
}
