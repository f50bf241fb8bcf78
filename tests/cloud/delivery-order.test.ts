import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../../cloud/log";
import { DeliveryQueue, type DeliveryQueueOptions } from "../../cloud/notify/delivery-queue";
import type { OutboundMessage, ProviderChannel, SendOutcome } from "../../cloud/notify/providers/channel";
import { createPlace } from "../../cloud/places/queries";
import { testCloud, type TestCloud } from "../support/cloud";
import { ManualScheduler } from "../support/manual-scheduler";
import { addStaff, incidents, nodeAlarm, placeNode, seedSite } from "../support/site";

/** A provider that takes each message only when the test lets it, noting the order sends began in. */
class HeldPhone implements ProviderChannel<string> {
  readonly name = "held-sms";
  readonly started: Array<{ to: string; incident: string }> = [];
  #held: Array<() => void> = [];

  async send(to: string, message: OutboundMessage): Promise<SendOutcome> {
    this.started.push({ to, incident: String(message.fields.incident) });
    await new Promise<void>((resolve) => this.#held.push(resolve));
    return { status: "accepted", reference: `held-${this.started.length}` };
  }

  get held(): number {
    return this.#held.length;
  }

  release(): void {
    this.#held.shift()?.();
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** An SMS line that sends one message at a time and never retries. */
function oneAtATime<J>(options: Pick<DeliveryQueueOptions<J>, "send" | "record" | "rank">): DeliveryQueue<J> {
  return new DeliveryQueue<J>({ name: "sms", concurrency: 1, maxAttempts: 1, backoffMs: () => 0, scheduler: new ManualScheduler({ now: 0 }), log: memoryLogger(), ...options });
}

describe("a delivery queue's waiting line", () => {
  it("sends every round's first before any round's later ones, each rank in order of arrival", async () => {
    const started: string[] = [];
    const held: Array<() => void> = [];
    const queue = oneAtATime<{ name: string; position: number }>({
      send: async (job) => {
        started.push(job.name);
        await new Promise<void>((resolve) => held.push(resolve));
        return "sent";
      },
      record: () => {},
      rank: (job) => job.position,
    });
    for (const round of ["a", "b", "c"]) for (let position = 0; position < 3; position++) queue.push({ name: `${round}${position}`, position });
    while (started.length < 9) {
      held.shift()!();
      await turn();
    }
    held.shift()!();
    await queue.idle();
    // a0 was free to go at once; first in, first out would be a0 a1 a2 b0 b1 …
    expect(started).toEqual(["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"]);
  });

  it("frees a send's place once the provider answered, while its outcome is still being written", async () => {
    const started: string[] = [];
    const writes: Array<() => void> = [];
    const queue = oneAtATime<{ name: string }>({
      send: async (job) => {
        started.push(job.name);
        return "sent";
      },
      // The outcome's write waits its turn (behind the ingest's, in a storm) until the test lets it.
      record: () => new Promise<void>((resolve) => writes.push(resolve)),
    });
    queue.push({ name: "first" });
    queue.push({ name: "second" });
    await turn();
    expect(started).toEqual(["first", "second"]);
    let idle = false;
    void queue.idle().then(() => (idle = true));
    expect(queue.depth).toBe(2);
    writes.shift()!();
    await turn();
    expect(idle).toBe(false);
    writes.shift()!();
    await turn();
    expect(idle).toBe(true);
    expect(queue.depth).toBe(0);
  });
});

describe("the SMS line in a storm of fires", () => {
  let cloud: TestCloud;
  let sms: HeldPhone;
  const FIRES = 12;

  beforeEach(async () => {
    sms = new HeldPhone();
    cloud = await testCloud({ sms });
    await seedSite(cloud.database.db);
    for (let f = 1; f <= FIRES; f++) {
      await createPlace(cloud.database.db, { id: `fl-1-${10 + f}`, parentId: "bd-1", level: "floor", name: `Floor ${10 + f}` }, 0);
      await placeNode(cloud.database.db, `smoke-b1-${10 + f}01`, `fl-1-${10 + f}`);
    }
    // A fire's first tier, everyone with a phone: five SMS per fire.
    const people: Array<[string, string, string]> = [
      ["building-lead", "bd-1", "+8613900000001"],
      ["property-staff", "cp-1", "+8613900000002"],
      ["grid-worker", "cm-1", "+8613900000003"],
      ["community-office", "cm-1", "+8613900000004"],
      ["street-office", "st-1", "+8613900000005"],
    ];
    for (const [role, scope, phone] of people) await addStaff(cloud, { name: `${role} ${scope}`, role, scopes: [scope], phone });
  });
  afterEach(async () => {
    while (sms.held) sms.release();
    await cloud.close();
  });

  it("reaches each new fire's first person before earlier fires' later people", async () => {
    for (let f = 1; f <= FIRES; f++) expect(await nodeAlarm(cloud, `smoke-b1-${10 + f}01`)).toBe("stored");
    await cloud.routing.desk.idle();
    await turn();
    const fires = await incidents(cloud);
    expect(fires).toHaveLength(FIRES);
    // The SMS line holds 32 sends at once: six fires' five and two of a seventh's; the rest wait.
    expect(sms.started).toHaveLength(32);
    const begun = new Set(sms.started.map((s) => s.incident));
    const waitingFires = fires.map((f) => String(f.id)).filter((id) => !begun.has(id));
    expect(waitingFires).toHaveLength(FIRES - 7);

    while (sms.started.length < FIRES * 5) {
      sms.release();
      await turn();
    }
    const afterWait = sms.started.slice(32).map((s) => s.incident);
    // Each fire nobody had been told of comes before the earlier fire's three still waiting.
    expect(new Set(afterWait.slice(0, waitingFires.length))).toEqual(new Set(waitingFires));
    // And the one person each of those fires reached first is its first recipient, as routed.
    const firstPhone = new Set(sms.started.slice(32, 32 + waitingFires.length).map((s) => s.to));
    expect(firstPhone).toEqual(new Set([sms.started[0].to]));
    while (sms.held) {
      sms.release();
      await turn();
    }
    await cloud.settle();
    expect(sms.started).toHaveLength(FIRES * 5);
  });
});
