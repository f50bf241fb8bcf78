import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { identityPluginPath } from "../../deploy/mosquitto/plugin/build";
import { freePort } from "./ports";

export interface MosquittoOptions {
  /** Extra lines appended to the project's config. */
  extraConfig?: string[];
  port?: number;
  /**
   * With the project's dynamic-security setup (deploy/mosquitto/dynsec.conf): no anonymous
   * clients, a fresh plugin file in the test's directory, and its first admin account.
   */
  dynsec?: boolean;
  /** How long the broker may take to listen (default 5 s); loading a big dynamic-security file takes longer. */
  startTimeoutMs?: number;
}

export interface Mosquitto {
  url: string;
  port: number;
  dir: string;
  /** The dynamic-security admin, when started with `dynsec`. */
  admin?: { username: string; password: string };
  stop(): Promise<void>;
  /** Stops the broker (SIGTERM: it saves its persistence file) and starts it again on the same port and config. */
  restart(downMs?: number): Promise<void>;
  /** Where a `persistence true` broker keeps its state: pass as `persistence_location` in extraConfig. */
  readonly persistenceDir: string;
  /** The running broker's process id (a new one after `restart`), for benches that read its CPU time. */
  readonly pid: number | undefined;
}

const PROJECT_CONFIG = new URL("../../deploy/mosquitto/shouwang.conf", import.meta.url);
const DYNSEC_CONFIG = new URL("../../deploy/mosquitto/dynsec.conf", import.meta.url);

/**
 * The project's dynsec config, pointed at files of the test's own (the identity plugin built from
 * this checkout, its journal, and a dynamic-security file initialised with an admin).
 */
function dynsecConfig(dir: string): { lines: string[]; admin: { username: string; password: string } } {
  const file = join(dir, "dynamic-security.json");
  const plugin = identityPluginPath();
  const admin = { username: "sw-admin", password: randomBytes(16).toString("hex") };
  const init = spawnSync("mosquitto_ctrl", ["dynsec", "init", file, admin.username, admin.password], { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`mosquitto_ctrl dynsec init failed: ${init.stderr || init.stdout}`);
  const lines = readFileSync(DYNSEC_CONFIG, "utf8")
    .split("\n")
    .map((line) => {
      if (line.startsWith("plugin_opt_config_file ")) return `plugin_opt_config_file ${file}`;
      if (line.startsWith("plugin_opt_journal ")) return `plugin_opt_journal ${join(dir, "identities.journal")}`;
      if (line.startsWith("plugin ") && line.includes("shouwang_auth")) return `plugin ${plugin}`;
      return line;
    });
  return { lines, admin };
}

/**
 * Starts a real Mosquitto with the project's config on a free loopback port, separate from any
 * system broker on 1883, so a test owns its broker and can restart it.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (spawnSync("mosquitto", ["-h"]).error) {
    throw new Error("mosquitto is not installed: `apt-get install mosquitto` (npm test does this as root)");
  }
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "sw-mosquitto-"));
  const config = join(dir, "mosquitto.conf");
  const dynsec = options.dynsec ? dynsecConfig(dir) : undefined;
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      ...(dynsec ? [] : ["allow_anonymous true"]),
      // Running as root in CI: stay root, so files the broker writes remain ours.
      "user root",
      readFileSync(PROJECT_CONFIG, "utf8"),
      ...(dynsec?.lines ?? []),
      ...(options.extraConfig ?? []),
    ].join("\n"),
  );
  const startTimeoutMs = options.startTimeoutMs ?? 5000;
  let child = await launch(config, port, startTimeoutMs);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    admin: dynsec?.admin,
    persistenceDir: `${dir}/`,
    get pid() {
      return child.pid;
    },
    stop,
    async restart(downMs = 0) {
      await stop();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      child = await launch(config, port, startTimeoutMs);
    },
  };
}

async function launch(config: string, port: number, timeoutMs: number): Promise<ChildProcess> {
  const child: ChildProcess = spawn("mosquitto", ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForPort(port, timeoutMs).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}\n${stderr}`);
  });
  return child;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
}
