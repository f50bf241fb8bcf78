import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook bodies are signed as `sha256=<hex HMAC-SHA256(secret, "<unix seconds>.<body>")>`, the
 * timestamp sent beside it, so a receiver can refuse a replayed or altered body.
 */
export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestampS}.${body}`).digest("hex")}`;
}

/** For receivers (and tests): checks a signature in constant time. */
export function verifyWebhook(secret: string, timestampS: number, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestampS, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export const SIGNATURE_HEADER = "x-shouwang-signature";
export const TIMESTAMP_HEADER = "x-shouwang-timestamp";
export const DELIVERY_HEADER = "x-shouwang-delivery";
export const EVENT_HEADER = "x-shouwang-event";
