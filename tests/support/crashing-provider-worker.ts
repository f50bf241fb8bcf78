import { parentPort } from "node:worker_threads";

/**
 * Stands in for the provider thread (cloud/notify/providers/provider-worker.ts) in a test: the
 * real one, except that a send to +8613900000999 stops the thread, as a fault of its own would.
 */
parentPort!.on("message", (message: { type: string; to?: string }) => {
  if (message.type === "send" && message.to === "+8613900000999") process.exit(3);
});
await import("../../cloud/notify/providers/provider-worker");
