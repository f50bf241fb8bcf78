// A worker thread's first module: the cloud is TypeScript run through tsx, and a worker thread
// does not inherit the loader hooks its parent was started with (Node 20), so this registers
// tsx's and then imports the thread's own module (workerData.script, a file: URL).
import { register } from "tsx/esm/api";
import { workerData } from "node:worker_threads";

register();
await import(workerData.script);
