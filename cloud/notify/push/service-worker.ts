import { Hono } from "hono";

/**
 * The console's service worker: shows a pushed incident as a system notification (one per
 * incident, replaced and rung again by a later round; an urgent one stays until touched) and
 * opens the incident when it is tapped. Served from the root so its scope is the whole console.
 * Plain JavaScript: it runs in the browser's worker, apart from the console's bundle.
 */
const SCRIPT = `self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { title: "Shouwang", body: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "Shouwang", {
    body: data.body || "",
    tag: data.tag,
    renotify: Boolean(data.tag),
    requireInteraction: data.purpose === "escalate" || data.hazard === "fire",
    data: { url: data.url || "/" },
  }));
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    for (const w of windows) if ("focus" in w) { w.navigate(url); return w.focus(); }
    return self.clients.openWindow(url);
  }));
});
self.addEventListener("pushsubscriptionchange", (event) => {
  // The push service renewed the subscription: the console re-subscribes on its next open.
  event.waitUntil(Promise.resolve());
});
`;

export function serviceWorkerRoutes() {
  const app = new Hono();
  app.get("/sw.js", (c) => c.body(SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }));
  return app;
}
