import type { Scheduler } from "../../cloud/time/scheduler";

interface Task {
  atMs: number;
  order: number;
  run: () => void | Promise<void>;
  cancelled: boolean;
}

/**
 * A scheduler whose clock moves only when a test says so. `advance` runs every task that falls
 * due, in time order, each to completion, with the clock set to the task's time.
 */
export class ManualScheduler implements Scheduler {
  #tasks: Task[] = [];
  #order = 0;
  constructor(private readonly clock: { now: number }) {}

  now = (): number => this.clock.now;

  at(atMs: number, run: () => void | Promise<void>): () => void {
    const task: Task = { atMs, order: this.#order++, run, cancelled: false };
    this.#tasks.push(task);
    return () => {
      task.cancelled = true;
    };
  }

  /** Tasks not yet run or cancelled. */
  get pending(): number {
    return this.#tasks.filter((t) => !t.cancelled).length;
  }

  /** Moves the clock forward by `ms`, running what falls due; `settle` lets work started by a task finish. */
  async advance(ms: number, settle: () => Promise<void> = async () => {}): Promise<void> {
    const target = this.clock.now + ms;
    for (;;) {
      this.#tasks = this.#tasks.filter((t) => !t.cancelled);
      const due = this.#tasks.filter((t) => t.atMs <= target).sort((a, b) => a.atMs - b.atMs || a.order - b.order)[0];
      if (!due) break;
      this.#tasks.splice(this.#tasks.indexOf(due), 1);
      this.clock.now = Math.max(this.clock.now, due.atMs);
      await due.run();
      await settle();
    }
    this.clock.now = target;
    await settle();
  }
}
