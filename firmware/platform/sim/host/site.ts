import { join } from "node:path";
import { esp32DevkitC } from "../../../../hardware/boards";
import { buildSimImage } from "../../../../shared/sim-image";
import { capsuleDefaults, type CapsuleNodeConfig } from "../../../capsule/config";
import type { NodeConfig } from "../../../config";
import { elevatorDefaults, type ElevatorNodeConfig } from "../../../elevator/config";
import { dividerCounts, ntcCounts } from "./analog-physics";
import { OTA_DEFAULTS } from "../../../ota/ota-config";
import { SimFlash } from "./sim-flash";
import { SimNode } from "./sim-node";
import { SimPartitions } from "./sim-partitions";

export interface SiteOptions {
  brokerUrl: string;
  protocolVersion: 4 | 5;
  nodes: number;
  /** Where each node's flash is kept, so boot counters survive restarts of the site. */
  dataDir: string;
  log?: (line: string) => void;
  /** Also an elevator e-bike lock and an emergency capsule (default true). */
  devices?: boolean;
  /** Release public keys; with any, each node gets OTA partitions and takes updates signed by them. */
  releaseKeys?: string[];
}

export interface Site {
  nodes: SimNode[];
  stop(): Promise<void>;
  /** Every node's XS machine and connection ended at once (a stop that took too long). */
  kill(): void;
}

const CLEAN_AIR = 310;

export const SITE_ELEVATOR_ID = "sim-lift-001";
export const SITE_CAPSULE_ID = "sim-capsule-001";

export function siteSmokeId(index: number): string {
  return `sim-smoke-${String(index).padStart(3, "0")}`;
}

function siteLink(nodeId: string, brokerPort: number) {
  return { nodeId, firmwareVersion: "0.1.0-sim", mqtt: { host: "127.0.0.1", port: brokerPort, keepAliveMs: 30_000 } };
}

export function siteNodeConfig(nodeId: string, brokerPort: number): NodeConfig {
  return {
    ...siteLink(nodeId, brokerPort),
    sampleIntervalMs: 1000,
    telemetryIntervalMs: 10_000,
    smoke: { baseline: CLEAN_AIR, raiseAboveBaseline: 400, clearBelowBaseline: 150, holdSamples: 3 },
  };
}

/**
 * A small simulated community: smoke nodes, an elevator lock and an emergency capsule in XS,
 * running in real time against the broker. The first smoke node sees a smoke puff (a kitchen, a
 * cigarette) every minute or so, an e-bike rides into the elevator every 90 s and is held until
 * it leaves, and the capsule's AED is taken out for half a minute every 3 minutes, so the
 * console has something to show; everything else breathes clean air with a little sensor noise.
 */
export async function startSite(options: SiteOptions): Promise<Site> {
  const port = Number(new URL(options.brokerUrl).port || 1883);
  const nodes: SimNode[] = [];
  for (let i = 1; i <= options.nodes; i++) {
    const nodeId = siteSmokeId(i);
    const releaseKeys = options.releaseKeys ?? [];
    const config = siteNodeConfig(nodeId, port);
    if (releaseKeys.length > 0) config.ota = { ...OTA_DEFAULTS, board: esp32DevkitC.id, kind: "sensor", releaseKeys };
    const node = await SimNode.boot({
      brokerUrl: options.brokerUrl,
      protocolVersion: options.protocolVersion,
      config,
      // The factory image; an update (npm run release -- sim-image …) lands in the other slot. Kept in memory: a restart of the site starts from the factory image again.
      partitions: releaseKeys.length > 0 ? new SimPartitions(buildSimImage({ version: "0.1.0", board: esp32DevkitC.id, kind: "sensor" }, 16 * 1024), 1024 * 1024) : undefined,
      flash: new SimFlash(join(options.dataDir, "sim-flash", `${nodeId}.json`)),
      seed: i,
      onLog: (level, message) => options.log?.(`[${nodeId}] ${level}: ${message}`),
    });
    await node.setPins({ smoke: CLEAN_AIR });
    node.runRealtime();
    nodes.push(node);
  }

  const smokeNodes = [...nodes];
  let elevator: SimNode | undefined;
  let capsule: SimNode | undefined;
  if (options.devices ?? true) {
    const log = (nodeId: string) => (level: string, message: string) => options.log?.(`[${nodeId}] ${level}: ${message}`);
    const flash = (nodeId: string) => new SimFlash(join(options.dataDir, "sim-flash", `${nodeId}.json`));
    const lift: ElevatorNodeConfig = { ...elevatorDefaults, ...siteLink(SITE_ELEVATOR_ID, port) };
    elevator = await SimNode.boot({
      kind: "elevator",
      brokerUrl: options.brokerUrl,
      protocolVersion: options.protocolVersion,
      config: lift,
      levels: { ebikeDetect: 0, maintenanceKey: 0 },
      flash: flash(lift.nodeId),
      onLog: log(lift.nodeId),
    });
    await elevator.setPulses({ detectorAlive: 500 });
    const box: CapsuleNodeConfig = { ...capsuleDefaults, ...siteLink(SITE_CAPSULE_ID, port) };
    capsule = await SimNode.boot({
      kind: "capsule",
      brokerUrl: options.brokerUrl,
      protocolVersion: options.protocolVersion,
      config: box,
      levels: { capsuleDoor: 0, aedCabinetDoor: 0, aedPresent: 0, cabinetNtc: ntcCounts(22, box.ntc), supplyVoltage: dividerCounts(13.4, box.supply.ratio) },
      flash: flash(box.nodeId),
      onLog: log(box.nodeId),
    });
    for (const node of [elevator, capsule]) {
      node.runRealtime();
      nodes.push(node);
    }
  }

  let tick = 0;
  const weather = setInterval(() => {
    tick++;
    smokeNodes.forEach((node, index) => {
      const puff = index === 0 && tick % 60 >= 20 && tick % 60 < 32;
      const noise = Math.round((Math.random() - 0.5) * 20);
      node.setPins({ smoke: (puff ? CLEAN_AIR + 700 : CLEAN_AIR) + noise }).catch(() => undefined);
    });
    elevator?.setPins({ ebikeDetect: tick % 90 >= 40 && tick % 90 < 55 ? 1 : 0 }).catch(() => undefined);
    const aedOut = tick % 180 >= 100 && tick % 180 < 130;
    capsule?.setPins({ aedCabinetDoor: aedOut ? 1 : 0, aedPresent: aedOut ? 1 : 0 }).catch(() => undefined);
  }, 1000);

  return {
    nodes,
    async stop() {
      clearInterval(weather);
      await Promise.all(nodes.map((node) => node.stop()));
    },
    kill() {
      clearInterval(weather);
      for (const node of nodes) node.kill();
    },
  };
}
