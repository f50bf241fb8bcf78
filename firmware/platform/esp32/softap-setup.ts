import { Server } from "http";
import WiFi from "wifi";
import { PORTAL_PAGE, type SetupPortal } from "../../setup/softap-portal";

/**
 * The setup portal on the node's own access point (open, named after the node's label), served by
 * Moddable's `http` server on 192.168.4.1. Only where Bluetooth is not available; closed once the
 * node has joined a network. Unverified on a device: no ESP-IDF here.
 */
export function openSetupAccessPoint(name: string, portal: SetupPortal): () => void {
  WiFi.accessPoint({ ssid: name, channel: 6, max: 2 });
  const server = new Server({ port: 80 });
  server.callback = function (message, path, method) {
    const request = this as unknown as { path?: string; method?: string; body?: string };
    switch (message) {
      case Server.status:
        request.path = String(path);
        request.method = String(method);
        return;
      case Server.headersComplete:
        // Returning the String constructor asks for the body as one string (Moddable's http docs);
        // the typings leave that answer out.
        return (request.method === "POST" ? String : undefined) as unknown as boolean;
      case Server.requestComplete:
        request.body = typeof path === "string" ? path : "";
        return;
      case Server.prepareResponse: {
        if (request.path === "/join" && request.method === "POST") return json(portal.submit(request.body ?? ""));
        if (request.path === "/status") return json(portal.status());
        return { headers: ["Content-Type", "text/html; charset=utf-8", "Cache-Control", "no-store"], body: PORTAL_PAGE };
      }
    }
  };
  return () => server.close();
}

function json(value: unknown) {
  return { headers: ["Content-Type", "application/json", "Cache-Control", "no-store"], body: JSON.stringify(value) };
}
