import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/**
 * The calling thread's id as the kernel knows it (Linux: `/proc/thread-self` names it; Node
 * offers no thread id of its own), or null where there is none to read.
 */
function thisThreadId(): number | null {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/** A thread that lowered its own scheduling priority (lowerThisThread). */
export interface LoweredThread {
  tid: number;
  /** Its niceness once lowered. */
  nice: number;
}

/**
 * Lowers the calling thread's scheduling priority by `by` steps of niceness. On Linux each thread
 * has a niceness of its own (setpriority(2) on a thread id). Lowering needs no privilege; raising
 * it again does (raiseThread). Returns the thread and its niceness now, or null where that could
 * not be done (not Linux, or refused), which leaves the thread as it was.
 */
export function lowerThisThread(by: number): LoweredThread | null {
  const tid = thisThreadId();
  if (tid === null) return null;
  try {
    const nice = Math.min(19, getPriority(tid) + by);
    setPriority(tid, nice);
    return getPriority(tid) === nice ? { tid, nice } : null;
  } catch {
    return null;
  }
}

/** Puts a thread of this process back at `nice` (after raiseThread). False if it could not be. */
export function setThreadNice(tid: number, nice: number): boolean {
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/**
 * Raises another thread of this process to the calling thread's niceness. Needs CAP_SYS_NICE or
 * an RLIMIT_NICE that reaches that niceness (systemd: `LimitNICE=`); false if refused.
 */
export function raiseThread(tid: number): boolean {
  try {
    // getpriority(PRIO_PROCESS, 0) is the calling thread's own on Linux.
    setPriority(tid, getPriority(0));
    return true;
  } catch {
    return false;
  }
}
