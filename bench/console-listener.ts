/**
 * The duty staff's open consoles, for `npm run bench:storm`, in their own process: one live
 * stream (`GET /api/incidents/stream`, server-sent events, a staff token as the bearer) per
 * person, as each person's console holds it. It notes when each incident's first `notification`
 * event *arrived here* (wall clock, ms: performance.timeOrigin + now, comparable with the
 * publishers' clocks on the same machine): the first notification as the person's screen has it,
 * not the cloud's word that it wrote one.
 * Parent → child: { cmd: "open", streams: [{ staffId, token }] } → { opened, failed };
 * { cmd: "report" } → { first: { [incidentId]: at }, notifications, incidentEvents, dropped };
 * { cmd: "close" }.
 */
import { request, type IncomingMessage } from "node:http";

const [cloudUrl] = process.argv.slice(2);
const wallNow = () => performance.timeOrigin + performance.now();

const first: Record<string, number> = {};
let notifications = 0;
let incidentEvents = 0;
/** Streams that ended or failed after they had opened. */
let dropped = 0;
const open = new Set<IncomingMessage>();

/**
 * Reads one stream's events (WHATWG server-sent events: fields up to a blank line); `ready`
 * resolves on the relay's `ready` event, so the person is listening before the storm begins.
 */
function listen(staffId: number, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = new URL("/api/incidents/stream", cloudUrl);
    const req = request(url, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`staff ${staffId}: the stream answered ${res.statusCode}`));
        return;
      }
      open.add(res);
      res.setEncoding("utf8");
      let buffer = "";
      let ready = false;
      res.on("data", (chunk: string) => {
        const receivedAt = wallNow();
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = "message";
          let data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) data += line.slice(5).trimStart();
          }
          if (event === "ready" && !ready) {
            ready = true;
            resolve();
          } else if (event === "notification") {
            notifications++;
            const id = String((JSON.parse(data) as { incident: { id: number } }).incident.id);
            first[id] = Math.min(first[id] ?? Infinity, receivedAt);
          } else if (event === "incident") incidentEvents++;
        }
      });
      res.on("close", () => {
        if (open.delete(res)) dropped++;
      });
    });
    req.on("error", reject);
    req.end();
  });
}

process.on("message", (message: { cmd: string; streams?: Array<{ staffId: number; token: string }> }) => {
  if (message.cmd === "open") {
    void Promise.allSettled(message.streams!.map((s) => listen(s.staffId, s.token))).then((results) => {
      const failed = results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason?.message));
      process.send!({ opened: results.length - failed.length, failed: failed.slice(0, 3) });
    });
  }
  if (message.cmd === "report") process.send!({ first, notifications, incidentEvents, dropped });
  if (message.cmd === "close") {
    for (const res of [...open]) {
      open.delete(res);
      res.destroy();
    }
    process.send!({ closed: true });
    process.exit(0);
  }
});
process.send!({ ready: true });
