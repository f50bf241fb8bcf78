import webPush from "web-push";
import type { OutboundMessage, ProviderChannel, SendOutcome } from "../providers/channel";
import { outcomeOfStatus, providerRequest } from "../providers/http";
import type { VapidKeys } from "./vapid-keys";

/** A browser's subscription, as its push service issued it. */
export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** What the service worker shows (console/sw.js): short, under a push service's 4 KB. */
export interface PushPayload {
  title: string;
  body: string;
  /** One notification per incident in the tray; a later round replaces it and rings again. */
  tag: string;
  url: string;
  incidentId: number;
  deliveryId: number;
  purpose: string;
  tier: number;
  hazard: string;
}

/**
 * Web Push (RFC 8030) to one browser: web-push encrypts the payload for it alone (RFC 8291,
 * aes128gcm) and signs the VAPID token (RFC 8292); the request itself goes out through fetch, so
 * it has the delivery's timeout and abort like every other provider. 201 means the push service
 * holds it for the browser; 404/410 that the subscription is gone (the person unsubscribed or
 * cleared the browser), never to come back.
 */
export function webPushChannel(keys: () => Promise<VapidKeys>, options: { fetch?: typeof fetch } = {}): ProviderChannel<PushTarget> {
  return {
    name: "web-push",
    async send(target, message, signal): Promise<SendOutcome> {
      const vapid = await keys();
      let request: ReturnType<typeof webPush.generateRequestDetails>;
      try {
        request = webPush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payloadOf(message), {
          vapidDetails: { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
          // An alarm an hour old is worth little on a lock screen; high urgency wakes a sleeping phone.
          TTL: 3600,
          urgency: "high",
        });
      } catch (error) {
        return { status: "permanent", reason: `web push could not be prepared: ${(error as Error).message}` };
      }
      const answer = await providerRequest(options.fetch, request.endpoint, {
        method: request.method,
        headers: request.headers as Record<string, string>,
        body: new Uint8Array(request.body as Buffer),
        signal,
      });
      if ("reason" in answer) return answer;
      if (answer.status >= 200 && answer.status < 300) return { status: "accepted", reference: answer.headers.get("location") ?? undefined };
      if (answer.status === 404 || answer.status === 410) return { status: "permanent", reason: `push subscription gone (HTTP ${answer.status})` };
      const retryAfter = Number(answer.headers.get("retry-after"));
      if (answer.status === 429) return { status: "retry", reason: "push service throttled (HTTP 429)", afterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined };
      return outcomeOfStatus(answer.status, "push service");
    },
  };
}

/** The payload rides in OutboundMessage.text as JSON (built by the notifier), checked here for size. */
function payloadOf(message: OutboundMessage): string {
  const payload = message.text;
  // Push services take about 4 KB of encrypted payload; ours is a few hundred bytes.
  if (Buffer.byteLength(payload) > 3000) throw new Error("payload over 3000 bytes");
  return payload;
}
