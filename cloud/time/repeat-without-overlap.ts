import type { Logger } from "../log";

/**
 * Runs `task` every `everyMs` on a timer that never keeps the process alive. A tick that comes
 * while the last run is still going is skipped, so a slow database never has runs piling up
 * behind each other; a run that fails is logged as `failure` and the next tick tries again.
 * `everyMs` 0 starts no timer: the owner (a test) runs the task by hand. Returns what stops it.
 */
export function repeatWithoutOverlap(task: () => Promise<unknown>, options: { everyMs: number; log: Logger; failure: string }): () => void {
  if (options.everyMs === 0) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((error: Error) => options.log("error", options.failure, { error: error.message }))
      .finally(() => (running = false));
  }, options.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
