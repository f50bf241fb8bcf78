import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatch } from "../../cloud/fleet/batches";
import { SimFlash } from "../../firmware/platform/sim/host/sim-flash";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { startFleetSite, type FleetSite } from "../support/fleet";
import { smokeNodeConfig } from "../support/sim-config";
import { waitFor } from "../support/wait";

const DAY_MS = 86_400_000;

describe("provisioning over Mosquitto with the project's dynamic-security setup", () => {
  let site: FleetSite;
  let secret: string;
  const batchId = "b-e2e-list";
  const nodes: SimNode[] = [];

  beforeAll(async () => {
    site = await startFleetSite();
    ({ secret } = await createBatch(site.fleet, {
      id: batchId,
      kind: "sensor",
      board: "esp32-devkitc",
      serials: ["a4:cf:12:00:00:01", "a4:cf:12:00:00:02", "a4:cf:12:00:00:03"],
      expiresAt: Date.now() + DAY_MS,
    }));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await site?.stop();
  });

  async function bootBlank(serial: string, options: { batch?: string; secret?: string; flash?: SimFlash } = {}) {
    const lines: string[] = [];
    const node = await SimNode.boot({
      brokerUrl: site.broker.url,
      protocolVersion: 4,
      config: smokeNodeConfig("unclaimed"),
      claim: { batch: options.batch ?? batchId, secret: options.secret ?? secret, serial, kind: "sensor" },
      flash: options.flash,
      onLog: (level, message) => lines.push(`${level}: ${message}`),
    });
    nodes.push(node);
    return { node, lines };
  }

  it("a blank node claims and comes online under its own identity", async () => {
    const { node, lines } = await bootBlank("a4cf12000001");
    await waitFor(async () => (await node.inspect()).connected, "the node to come online", 10_000);
    console.log(lines.join("\n"));
    const state = await node.inspect();
    expect(state.nodeId).toBe("a4cf12000001");
  });
});
