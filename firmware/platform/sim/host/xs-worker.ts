import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { encodeNetstring, NetstringReader } from "./netstring";

/**
 * Meter of one crank, as xsnap-worker reports it: `compute` counts XS operations
 * deterministically (the same code and input give the same count on any machine), and
 * `currentHeapCount` is the number of live heap slots after the crank.
 */
export interface XsMeter {
  compute: number;
  currentHeapCount: number;
  allocate: number;
}

export interface XsReply {
  bytes: Uint8Array;
  meter: XsMeter;
}

/** Answers the worker's synchronous `issueCommand(bytes)`. */
export type IssueHandler = (request: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export interface XsWorkerOptions {
  name?: string;
  /** Compute units a single crank may spend before the worker aborts it. */
  meteringLimit?: number;
  onIssue?: IssueHandler;
  /** Lines the worker prints (its `print` global writes to stdout). */
  onPrint?: (line: string) => void;
}

export class XsError extends Error {
  override name = "XsError";
}

const OK = 0x2e; // '.'
const ERROR = 0x21; // '!'
const QUERY = 0x3f; // '?'
const METER_SEPARATOR = 0x01;

/** Path of the xsnap-worker binary that `npm install` builds inside @agoric/xsnap. */
export function xsnapWorkerPath(): string {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = dirname(require.resolve("@agoric/xsnap/package.json"));
  } catch {
    throw new Error("@agoric/xsnap is not installed: run `npm install` at the repository root.");
  }
  if (process.platform !== "linux" && process.platform !== "darwin") {
    throw new Error(`xsnap-worker builds on Linux and macOS only, not on ${process.platform}.`);
  }
  const bin = join(root, "xsnap-native/xsnap/build/bin", process.platform === "linux" ? "lin" : "mac", "release/xsnap-worker");
  if (!existsSync(bin)) {
    throw new Error(
      `xsnap-worker was not built (${bin} is missing). Its install script must run: check that package.json's ` +
        "allowScripts approves @agoric/xsnap, then run `npm rebuild @agoric/xsnap`.",
    );
  }
  return bin;
}

interface Pending {
  resolve: (reply: XsReply) => void;
  reject: (error: Error) => void;
}

/**
 * One Moddable XS machine in an `xsnap-worker` process, driven over its netstring pipes:
 * `e<code>` evaluates a script, `?<bytes>` calls the worker's global `handleCommand`, and the
 * worker's `issueCommand` arrives here as `?` and is answered with `/`. Requests are queued:
 * the worker runs one crank at a time.
 */
export class XsWorker {
  readonly name: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #process: ChildProcess;
  #toWorker: Writable;
  #reader = new NetstringReader();
  #queue: Array<{ frame: Buffer } & Pending> = [];
  #current: Pending | null = null;
  #onIssue: IssueHandler;
  #dead: Error | null = null;
  #stderr = "";

  constructor(options: XsWorkerOptions = {}) {
    this.name = options.name ?? "xs";
    this.#onIssue = options.onIssue ?? ((request) => request);
    const args = [this.name, "-l", String(options.meteringLimit ?? 1_000_000_000)];
    this.#process = spawn(xsnapWorkerPath(), args, {
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"],
    });
    const stdio = this.#process.stdio;
    this.#toWorker = stdio[3] as Writable;
    const fromWorker = stdio[4] as Readable;
    fromWorker.on("data", (chunk: Buffer) => this.#receive(chunk));
    this.#toWorker.on("error", () => {});
    let printed = "";
    (stdio[1] as Readable).on("data", (chunk: Buffer) => {
      printed += chunk.toString("utf8");
      const lines = printed.split("\n");
      printed = lines.pop() ?? "";
      for (const line of lines) (options.onPrint ?? ((l: string) => process.stdout.write(`[${this.name}] ${l}\n`)))(line);
    });
    (stdio[2] as Readable).on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      this.#process.once("exit", (code, signal) => {
        const detail = this.#stderr.trim() ? `: ${this.#stderr.trim()}` : "";
        this.#fail(new XsError(`XS worker ${this.name} exited (code ${code}, signal ${signal})${detail}`));
        resolve({ code, signal });
      });
    });
  }

  /** Evaluates a script in the worker's global scope; resolves once its promise jobs have run. */
  evaluate(code: string): Promise<XsReply> {
    return this.#request(encodeNetstring(Buffer.from(`e${code}`, "utf8")));
  }

  /** Calls the worker's global `handleCommand(ArrayBuffer)`; resolves with the ArrayBuffer it returns. */
  command(bytes: Uint8Array): Promise<XsReply> {
    return this.#request(encodeNetstring(Buffer.from("?"), bytes));
  }

  get alive(): boolean {
    return this.#dead === null;
  }

  /** Ends the worker at once, as a power cut ends a node. */
  kill(): void {
    this.#process.kill("SIGKILL");
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    this.#toWorker.end();
    const timer = setTimeout(() => this.kill(), 1000);
    await this.exited;
    clearTimeout(timer);
  }

  #request(frame: Buffer): Promise<XsReply> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      this.#queue.push({ frame, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    if (this.#current || this.#queue.length === 0) return;
    const { frame, resolve, reject } = this.#queue.shift()!;
    this.#current = { resolve, reject };
    this.#toWorker.write(frame);
  }

  #receive(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.#reader.push(chunk);
    } catch (error) {
      this.#fail(error as Error);
      this.kill();
      return;
    }
    for (const frame of frames) this.#dispatch(frame);
  }

  #dispatch(frame: Buffer): void {
    const kind = frame[0];
    if (kind === QUERY) {
      void this.#answer(frame.subarray(1));
      return;
    }
    const current = this.#current;
    this.#current = null;
    if (!current) {
      this.#fail(new XsError(`XS worker ${this.name} sent a reply nobody asked for`));
      return;
    }
    if (kind === OK) {
      const separator = frame.indexOf(METER_SEPARATOR, 1);
      const meter = separator >= 0 ? (JSON.parse(frame.subarray(1, separator).toString("utf8")) as XsMeter) : emptyMeter();
      current.resolve({ bytes: frame.subarray(separator >= 0 ? separator + 1 : 1), meter });
    } else if (kind === ERROR) {
      current.reject(new XsError(frame.subarray(1).toString("utf8") || "XS raised an exception"));
    } else {
      current.reject(new XsError(`XS worker ${this.name} broke protocol (frame starts with ${kind})`));
    }
    this.#next();
  }

  async #answer(request: Uint8Array): Promise<void> {
    let reply: Uint8Array;
    try {
      reply = await this.#onIssue(request);
    } catch (error) {
      // The worker blocks until it hears back; answer with the error so XS can throw it.
      reply = Buffer.from(JSON.stringify({ ok: false, error: (error as Error).message }));
    }
    if (this.alive) this.#toWorker.write(encodeNetstring(Buffer.from("/"), reply));
  }

  #fail(error: Error): void {
    if (this.#dead) return;
    this.#dead = error;
    const waiting = [...(this.#current ? [this.#current] : []), ...this.#queue];
    this.#current = null;
    this.#queue = [];
    for (const pending of waiting) pending.reject(error);
  }
}

function emptyMeter(): XsMeter {
  return { compute: 0, currentHeapCount: 0, allocate: 0 };
}
