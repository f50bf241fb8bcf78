import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitFor } from "./wait";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface CloudProcess {
  child: ChildProcess;
  url: string;
  /** The first admin token, printed only by the start that created it. */
  token: string | null;
  exited: Promise<void>;
  output(): string;
}

/**
 * The cloud as it runs in production: its own process running system/start.ts, configured by env.
 * Node itself with tsx's loader, not the `tsx` command: that one runs the program in a child
 * process, and a SIGKILL would end only the wrapper.
 */
export async function startCloudProcess(env: Record<string, string>, timeoutMs = 40_000): Promise<CloudProcess> {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "system/start.ts"], {
    cwd: root,
    env: { ...process.env, PORT: "0", SIM_NODES: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  child.stderr!.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await Promise.race([
    waitFor(() => /Simulated:/.test(output), "the cloud's banner", timeoutMs),
    exited.then(() => Promise.reject(new Error(`the cloud exited:\n${output}`))),
  ]);
  return {
    child,
    url: /Console:\s+(\S+)\//.exec(output)![1],
    token: /^\s+(sw_[A-Za-z0-9_-]+)$/m.exec(output)?.[1] ?? null,
    exited,
    output: () => output,
  };
}
