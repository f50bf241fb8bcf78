/**
 * One node on Moddable's Linux runtime, run by the headless loader (headless.c) as a child
 * process: its log lines, the JSON events its host ports post (`@host {…}`), commands to its host
 * ports on stdin, and a restart when the firmware asks for one, as the chip's reset would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { XsMeter as DeviceMeter } from "../../firmware/platform/lin/xs-meter";
import type { NodeBuild } from "./sdk";

export interface HostEvent {
  event: string;
  [field: string]: unknown;
}

/** What firmware/platform/lin/xs-meter.js reads from the XS machine (its every field: the host build is instrumented), with the reading's label. */
export type XsMeter = Required<DeviceMeter> & { label: string };

const EXIT_RESTART = 75;

export class HostNode {
  readonly logs: string[] = [];
  readonly events: HostEvent[] = [];
  boots = 0;
  /**
   * The stack's high-water mark in bytes, over the whole run. The SDK's lin runtime samples its
   * instruments every second and restarts the stack's peak each time (screen.c), so the peak the
   * XS meter reads covers only the last second; the runtime's `instruments:` lines carry each one.
   */
  stackPeakBytes = 0;
  /** Collections over the whole run, summed from the same per-second samples (each restarts the count). */
  collections = 0;
  #instrumentNames: string[] = [];
  #child: ChildProcess | undefined;
  #stopping = false;
  #exited: Promise<number> = Promise.resolve(0);
  #listeners = new Set<() => void>();

  /**
   * @param dir the node's working directory: its preferences (modpreferences.json) live there, as its NVS does on the chip.
   * @param settings the `host` preferences (firmware/platform/lin/host-main.ts): broker, serial, claim, time scale.
   */
  constructor(
    readonly build: NodeBuild,
    readonly so: string,
    readonly dir: string,
    settings: Record<string, string | number>,
    readonly onLine: (line: string) => void = () => {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.#writeHostSettings(settings);
  }

  start(): void {
    this.#stopping = false;
    this.boots++;
    const [command, ...args] = [...this.build.target.runner, this.build.loader, this.so];
    const child = spawn(command, args, { cwd: this.dir, stdio: ["pipe", "pipe", "pipe"] });
    this.#child = child;
    const take = (line: string) => {
      if (line.startsWith("@host ")) {
        try {
          this.events.push(JSON.parse(line.slice(6)) as HostEvent);
        } catch {
          this.logs.push(line);
        }
      } else if (line.startsWith("instruments key: ")) this.#instrumentNames = line.slice(17).split(",");
      else if (line.startsWith("instruments: ")) {
        const values = line.slice(13).split(",");
        const stack = Number(values[this.#instrumentNames.indexOf("Stack used")]);
        if (stack > this.stackPeakBytes) this.stackPeakBytes = stack;
        this.collections += Number(values[this.#instrumentNames.indexOf("Garbage collections")]) || 0;
      } else this.logs.push(line);
      this.onLine(line);
      for (const listener of this.#listeners) listener();
    };
    createInterface({ input: child.stdout! }).on("line", take);
    createInterface({ input: child.stderr! }).on("line", take);
    this.#exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        const status = code ?? (signal ? 128 : 0);
        take(`[loader exited: ${signal ?? status}]`);
        if (status === EXIT_RESTART && !this.#stopping) this.start();
        resolve(status);
      });
    });
  }

  /** One command to the host ports (firmware/platform/lin/host-control.ts). */
  send(command: Record<string, unknown>): void {
    this.#child?.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  /** The XS machine's figures now, after a collection. */
  async meter(label: string, timeoutMs = 30_000): Promise<XsMeter> {
    this.send({ op: "meter", label });
    const found = (await this.waitFor(() => this.events.find((e) => e.event === "meter" && e.label === label), `the meter reading "${label}"`, timeoutMs)) as unknown as XsMeter;
    return { ...found, stackPeak: Math.max(found.stackPeak, Math.ceil(this.stackPeakBytes / found.slotBytes)), collections: this.collections + found.collections };
  }

  /** Resolves with the first truthy `probe()`, checked on every line the node prints and every 200 ms. */
  waitFor<T>(probe: () => T | undefined | false | null, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const aborted = this.events.find((e) => e.event === "abort");
        if (aborted) return finish(new Error(`the node aborted while waiting for ${what}: ${aborted.exception ?? aborted.why ?? `status ${aborted.status}`}`));
        const value = probe();
        if (value) finish(undefined, value);
      };
      const timer = setInterval(check, 200);
      const deadline = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last lines:\n${this.logs.slice(-15).join("\n")}`)), timeoutMs);
      const finish = (error?: Error, value?: T) => {
        clearInterval(timer);
        clearTimeout(deadline);
        this.#listeners.delete(check);
        if (error) reject(error);
        else resolve(value as T);
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Lines logged since the `from`-th matching `pattern`. */
  logged(pattern: RegExp, from = 0): string[] {
    return this.logs.slice(from).filter((line) => pattern.test(line));
  }

  /** Closes stdin (the loader then ends the machine); kills it if it does not go in 5 s. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    child.stdin?.end();
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await this.#exited;
    clearTimeout(killer);
  }

  /** Power cut: the process is killed at once, as a node losing power stops mid-instruction. */
  async kill(): Promise<void> {
    this.#stopping = true;
    this.#child?.kill("SIGKILL");
    await this.#exited;
  }

  /** What the node keeps in its "NVS" (the SDK's lin `preference` module writes this JSON file). */
  preferences(): Record<string, Record<string, unknown>> {
    try {
      return JSON.parse(readFileSync(join(this.dir, "modpreferences.json"), "utf8")) as Record<string, Record<string, unknown>>;
    } catch {
      return {};
    }
  }

  #writeHostSettings(settings: Record<string, string | number>): void {
    const current = this.preferences();
    current.host = { ...(current.host ?? {}), ...settings };
    writeFileSync(join(this.dir, "modpreferences.json"), JSON.stringify(current));
  }
}
