import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";

export interface NatsServerHandle {
  name: string;
  /** NATS client port (what NATS_URLS lists). */
  clientPort: number;
  /** MQTT 3.1.1 listener (what nodes and the cloud's MQTT clients connect to). */
  mqttPort: number;
  /** HTTP monitoring (`/connz`, `/jsz`). */
  monitorPort: number;
  readonly running: boolean;
}

export interface NatsCluster {
  servers: NatsServerHandle[];
  /** `nats://127.0.0.1:p1,nats://…` */
  natsUrls: string;
  /** `mqtt://127.0.0.1:m1,mqtt://…` */
  mqttUrls: string;
  dir: string;
  /** SIGKILL one server: the loss of a broker node, no goodbye. */
  kill(index: number): Promise<void>;
  /** Starts a stopped server again with its config and store (it rejoins the cluster). */
  start(index: number): Promise<void>;
  /** Stops every server (SIGTERM) and starts them all again on the same ports and stores. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A cluster of real `nats-server`s (Debian's 2.9.10 here) on free loopback ports, each with
 * JetStream on its own store and an MQTT listener: the broker tier past one machine. Three
 * servers give JetStream's Raft a quorum of 2, so any one may die (JetStream clustering docs:
 * "a cluster of 3 can tolerate the loss of 1").
 */
export async function startNatsCluster(size = 3, options: { /** Each server logs to `<dir>/n<i>.log` instead of stderr. */ logFiles?: boolean } = {}): Promise<NatsCluster> {
  if (spawnSync("nats-server", ["--version"]).error) throw new Error("nats-server is not installed: `apt-get install nats-server`");
  const dir = mkdtempSync(join(tmpdir(), "sw-nats-"));
  const ports: Array<{ client: number; cluster: number; mqtt: number; monitor: number }> = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), cluster: await freePort(), mqtt: await freePort(), monitor: await freePort() });
  const configs = ports.map((port, i) => {
    const store = join(dir, `n${i}`);
    mkdirSync(store, { recursive: true });
    const file = join(dir, `n${i}.conf`);
    const routes = ports.filter((_, j) => j !== i).map((other) => `nats-route://127.0.0.1:${other.cluster}`);
    writeFileSync(
      file,
      [
        `server_name: n${i}`,
        // A bench reads it after a run that went wrong; tests keep stderr, which a failed start reports.
        options.logFiles ? `log_file: "${join(dir, `n${i}.log`)}"` : "",
        `listen: 127.0.0.1:${port.client}`,
        `http: 127.0.0.1:${port.monitor}`,
        `jetstream { store_dir: "${store}" }`,
        // One server runs JetStream on its own: a cluster block with no routes will not start.
        size > 1 ? `cluster { name: sw, listen: 127.0.0.1:${port.cluster}, routes: [${routes.join(", ")}] }` : "",
        // Nodes' sessions, QoS 1 messages and subscriptions are JetStream assets: R3 so one server may die.
        `mqtt { listen: 127.0.0.1:${port.mqtt}, stream_replicas: ${Math.min(size, 3)}, consumer_replicas: ${Math.min(size, 3)} }`,
      ].join("\n"),
    );
    return file;
  });
  const children: Array<ChildProcess | undefined> = new Array(size).fill(undefined);
  const launch = async (i: number) => {
    const child = spawn("nats-server", ["-c", configs[i]], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    children[i] = child;
    await waitForPort(ports[i].client, 10_000).catch((error: Error) => {
      child.kill("SIGKILL");
      throw new Error(`${error.message}\n${stderr}`);
    });
  };
  const stopOne = (i: number, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const child = children[i];
      children[i] = undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill(signal);
    });
  // A fresh cluster: every stream and consumer current. A server coming back: itself current with
  // the meta leader (its consumers catch up in the background, which may take a while under load).
  const healthy = (i: number, serverOnly = true) =>
    Promise.all([waitForPort(ports[i].mqtt, 30_000), waitForHealth(ports[i].monitor, serverOnly ? "?js-server-only=true" : "", 30_000)]);
  await Promise.all(ports.map((_, i) => launch(i)));
  await Promise.all(ports.map((_, i) => healthy(i, false)));
  return {
    servers: ports.map((port, i) => ({
      name: `n${i}`,
      clientPort: port.client,
      mqttPort: port.mqtt,
      monitorPort: port.monitor,
      get running() {
        return children[i] !== undefined;
      },
    })),
    natsUrls: ports.map((port) => `nats://127.0.0.1:${port.client}`).join(","),
    mqttUrls: ports.map((port) => `mqtt://127.0.0.1:${port.mqtt}`).join(","),
    dir,
    kill: (i) => stopOne(i, "SIGKILL"),
    start: async (i) => {
      await launch(i);
      await healthy(i);
    },
    async restart(downMs = 0) {
      await Promise.all(ports.map((_, i) => stopOne(i, "SIGTERM")));
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await Promise.all(ports.map((_, i) => launch(i)));
      await Promise.all(ports.map((_, i) => healthy(i)));
    },
    stop: async () => {
      await Promise.all(ports.map((_, i) => stopOne(i, "SIGTERM")));
    },
  };
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
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
}

/** Waits for the server's `/healthz` to answer 200: JetStream up, its streams and consumers current (nats-server monitoring docs). */
async function waitForHealth(port: number, query: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz${query}`);
      if (response.ok) return;
      last = await response.text();
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nats-server on monitor port ${port} was not healthy within ${timeoutMs} ms: ${last}`);
}
