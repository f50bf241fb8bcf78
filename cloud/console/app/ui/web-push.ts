import { request } from "../api";
import { session } from "../session";

/** The VAPID key arrives base64url; the browser wants its bytes. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/**
 * Lets this browser receive a staff member's alarms while the console is closed (Web Push): the
 * service worker at /sw.js, a subscription with the cloud's key, stored for the person signed
 * in. Returns whether it worked; where the browser has no push service (or none it can reach),
 * the console's live stream still carries every notification while it is open.
 */
export async function subscribeThisBrowser(): Promise<boolean> {
  if (session.owner?.role !== "staff" || !("serviceWorker" in navigator) || !("PushManager" in window)) return false;
  try {
    const registration = await navigator.serviceWorker.register("/sw.js");
    const { publicKey } = await request<{ publicKey: string }>("GET", "/api/push/key");
    const subscription =
      (await registration.pushManager.getSubscription()) ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
    await request("POST", "/api/push/subscriptions", subscription.toJSON());
    return true;
  } catch {
    return false;
  }
}
