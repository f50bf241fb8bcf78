import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * Lowers the calling thread's scheduling priority by `by` steps of niceness. On Linux each thread
 * has a niceness of its own (setpriority(2) on a thread id), and `/proc/thread-self` names the
 * calling thread; Node offers no thread id of its own. Lowering needs no privilege; it cannot be
 * undone without one. Returns the niceness now in force, or null where that could not be done
 * (not Linux, or refused), which leaves the thread as it was.
 */
export function lowerThisThread(by: number): number | null {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    const nice = Math.min(19, getPriority(tid) + by);
    setPriority(tid, nice);
    return getPriority(tid) === nice ? nice : null;
  } catch {
    return null;
  }
}
