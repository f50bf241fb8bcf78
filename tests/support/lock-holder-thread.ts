/**
 * A thread that runs ten steps of niceness below its parent and holds the write lock as the bulk
 * ingest thread would (write-lock.ts: Inheritance), until told to let it go. It tells its
 * parent its thread id and niceness once it holds the lock, and again once it let it go.
 */
import { parentPort, workerData } from "node:worker_threads";
import { WriteLock } from "../../cloud/db/write-lock";
import { lowerThisThread, setThreadNice } from "../../cloud/threads/thread-priority";

const port = parentPort!;
const lowered = lowerThisThread(10);
if (!lowered) throw new Error("this thread could not lower itself");
const lock = new WriteLock((workerData as { lock: SharedArrayBuffer }).lock);
lock.inherit({ holder: { tid: lowered.tid, lowerAgain: () => setThreadNice(lowered.tid, lowered.nice) } });
const release = await lock.acquire(false, 5000);
port.postMessage({ held: true, ...lowered });
port.once("message", () => {
  release();
  port.postMessage({ held: false, ...lowered });
  port.close();
});
