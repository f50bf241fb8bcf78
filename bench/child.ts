import { fork, type ChildProcess } from "node:child_process";
import { getPriority, setPriority } from "node:os";
import { fileURLToPath } from "node:url";

/** A bench helper in its own Node process (tsx), spoken to over IPC: one answer per request, in order. */
export class Worker {
  #child: ChildProcess;
  #waiting: Array<(message: unknown) => void> = [];
  readonly ready: Promise<unknown>;

  /** `nicer`: how much lower than this process's the child's scheduling priority is (its niceness added to ours, at most 19). */
  /** `execArgv`: more of node's own flags for the child (`--trace-gc`, say). */
  constructor(script: string, args: string[], options: { nicer?: number; execArgv?: string[] } = {}) {
    this.#child = fork(fileURLToPath(new URL(script, import.meta.url)), args, { execArgv: ["--import", "tsx", ...(options.execArgv ?? [])], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    if (options.nicer && this.#child.pid !== undefined) setPriority(this.#child.pid, Math.min(19, getPriority() + options.nicer));
    this.ready = new Promise((resolve) => this.#waiting.push(resolve));
    this.#child.on("message", (message) => this.#waiting.shift()?.(message));
    this.#child.once("exit", (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`bench: ${script} exited with ${code}\n`);
    });
  }

  ask<T>(request: object): Promise<T> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve as (message: unknown) => void);
      this.#child.send(request);
    });
  }

  kill(): void {
    this.#child.kill("SIGKILL");
  }
}
