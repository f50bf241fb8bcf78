/**
 * The API probe of `npm run bench:flood`, alone in its process: one small authenticated request
 * at a time, every 20 ms, timed from here. In the fleet's process it measured that process's own
 * stalls (a thousand clients and a flood publishing from one event loop got 28–112 probes out in
 * a run instead of hundreds), not the cloud's answer. Runs until stdin closes, then prints one
 * JSON line of its probes.
 */
import process from "node:process";

const [apiUrl, token] = process.argv.slice(2);
const PROBE_EVERY_MS = 20;

const probes: Array<{ atMs: number; ms: number; status: number }> = [];
let probing = true;
process.stdin.on("end", () => (probing = false));
process.stdin.resume();

while (probing) {
  const started = Date.now();
  let status = 0;
  try {
    const response = await fetch(`${apiUrl}/api/ingest/stats`, { headers: { authorization: `Bearer ${token}` } });
    status = response.status;
    await response.arrayBuffer();
  } catch {
    status = -1;
  }
  probes.push({ atMs: started, ms: Date.now() - started, status });
  await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
}
process.stdout.write(`${JSON.stringify(probes)}\n`);
