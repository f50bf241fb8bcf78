/**
 * Time as the routing stages see it: a clock and a way to run something later. Injected, so a
 * test drives escalation, flap guards and re-checks days ahead in milliseconds.
 */
export interface Scheduler {
  now(): number;
  /** Runs `task` at `atMs` (or at once if that has passed); returns a cancel function. */
  at(atMs: number, task: () => void | Promise<void>): () => void;
}

/** setTimeout holds at most 2^31-1 ms (24.8 days); longer waits re-arm in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/** The real one: the wall clock and timers that do not keep the process alive. */
export function timerScheduler(now: () => number = Date.now): Scheduler {
  return {
    now,
    at(atMs, task) {
      let timer: NodeJS.Timeout | undefined;
      let cancelled = false;
      const arm = () => {
        const waitMs = Math.max(0, atMs - now());
        timer = setTimeout(
          () => {
            if (cancelled) return;
            if (atMs - now() > 0) return arm();
            void Promise.resolve()
              .then(task)
              .catch(() => {});
          },
          Math.min(waitMs, MAX_TIMER_MS),
        );
        timer.unref();
      };
      arm();
      return () => {
        cancelled = true;
        if (timer) clearTimeout(timer);
      };
    },
  };
}
