import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A bench helper in its own Node process (tsx), spoken to over IPC: one answer per request, in order. */
export class Worker {
  #child: ChildProcess;
  #waiting: Array<(message: unknown) => void> = [];
  readonly ready: Promise<unknown>;

  constructor(script: string, args: string[]) {
    this.#child = fork(fileURLToPath(new URL(script, import.meta.url)), args, { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
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
