/**
 * Stands in for the bulk ingest's thread (cloud/ingest/bulk-worker.ts) in a test: it says it is
 * ready, counts one message received, and then stops as an uncaught error would stop it.
 */
import { parentPort } from "node:worker_threads";

const port = parentPort!;
port.postMessage({ type: "ready" });
port.postMessage({
  type: "stats",
  stats: { received: 1, stored: 1, duplicates: 0, failed: 0, rejected: {}, rejectedByNode: [], batches: 1, largestBatch: 1 },
  connected: true,
  acknowledged: 1,
  heap: { used: 1, total: 2 },
});
setTimeout(() => {
  throw new Error("the stand-in thread stops");
}, 50);
