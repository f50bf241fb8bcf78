import { bootEra, startBoot } from "../../../firmware/link/boot-counter";
import { OUTBOX_ALARM, OUTBOX_EVENT, OUTBOX_TELEMETRY, Outbox } from "../../../firmware/link/outbox";
import { Uplink } from "../../../firmware/link/uplink";
import type { MqttConnectOptions, MqttSession } from "../../../firmware/ports/mqtt";
import { VirtualClock } from "../../../firmware/platform/sim/virtual-clock";
import { FaultyStore } from "./faulty-store";
import { MemoryStore } from "./memory-store";
import { serveScenario } from "./scenario";

/** Records what the uplink publishes; the scenario plays the broker's PUBACKs. */
class RecordingMqtt implements MqttSession {
  onConnected: () => void = () => {};
  onPublished: (packetId: number) => void = () => {};
  onMessage: (topic: string, payload: string) => void = () => {};
  onDisconnected: (reason: string) => void = () => {};
  published: Array<{ payload: string; qos: number; packetId: number }> = [];
  #nextId = 0;
  connect(_options: MqttConnectOptions): void {}
  publish(_topic: string, payload: string, qos: 0 | 1): number {
    const packetId = qos === 0 ? 0 : ++this.#nextId;
    this.published.push({ payload, qos, packetId });
    return packetId;
  }
  subscribe(): void {}
  close(): void {}
}

const nodeId = "smoke-fault";
const topic = "sw/v1/node/smoke-fault/alarm";
const body = { kind: "smoke", severity: "alarm", state: "raised", value: 900, unit: "raw", threshold: 700 } as const;
const kindOf = (payload: string) => (JSON.parse(payload) as { type: string }).type;

function seeded(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** The cloud's receipt for every alarm published so far: stored, so each leaves the outbox. */
function receiptAll(uplink: Uplink, mqtt: RecordingMqtt): void {
  const alarms = mqtt.published.map((p) => JSON.parse(p.payload)).filter((m) => m.type === "alarm");
  if (alarms.length) uplink.onStored(JSON.stringify({ v: 1, boot: uplink.bootId, seqs: alarms.map((m) => m.seq) }));
}

const cases: Record<string, (request: any) => unknown> = {
  /**
   * Issue 13's stall: one in flight at a time; an event goes out, then alarms fill the outbox and
   * one of them evicts that event while it awaits its PUBACK. The PUBACK then matches nothing;
   * the alarms behind it must still go.
   */
  "evicted-in-flight"() {
    const clock = new VirtualClock();
    const mqtt = new RecordingMqtt();
    const outbox = new Outbox({ storage: new MemoryStore(), capacity: 3 });
    outbox.load();
    const uplink = new Uplink({ nodeId, bootId: 1, mqtt, clock, outbox, maxInFlight: 1 });
    uplink.onConnected();
    uplink.event("config-applied");
    const eventPacket = mqtt.published[0].packetId;
    uplink.event("hold-start"); // waits behind it
    uplink.alarm(body); // third slot
    uplink.alarm(body); // evicts the oldest event: the one in flight
    uplink.alarm(body); // evicts the waiting event
    const beforeAck = { published: mqtt.published.length, inFlight: outbox.inFlight, depth: outbox.depth };
    uplink.onPublished(eventPacket);
    const afterAck = { published: mqtt.published.length, inFlight: outbox.inFlight, depth: outbox.depth };
    // The broker acknowledges whatever goes out next, until nothing is left.
    for (let i = mqtt.published.length - 1; i < mqtt.published.length && i < 20; i++) uplink.onPublished(mqtt.published[i].packetId);
    receiptAll(uplink, mqtt);
    return {
      beforeAck,
      afterAck,
      sentKinds: mqtt.published.map((p) => kindOf(p.payload)),
      end: { depth: outbox.depth, inFlight: outbox.inFlight, dropped: { ...outbox.dropped } },
    };
  },

  /** NVS full: the alarm is neither thrown into the detector nor lost; it goes from RAM. */
  "flash-full"() {
    const clock = new VirtualClock();
    const mqtt = new RecordingMqtt();
    const store = new FaultyStore();
    const errors: string[] = [];
    const outbox = new Outbox({ storage: store, capacity: 8, onFlashError: (error) => errors.push(error.message) });
    outbox.load();
    const uplink = new Uplink({ nodeId, bootId: 1, mqtt, clock, outbox, maxInFlight: 4 });
    uplink.alarm(body);
    store.full = true;
    let threw: string | null = null;
    const kept: boolean[] = [];
    try {
      for (let i = 0; i < 3; i++) kept.push(uplink.alarm(body));
      kept.push(uplink.event("hold-start"));
    } catch (error) {
      threw = String(error);
    }
    const whileFull = { depth: outbox.depth, alarms: outbox.alarms, inFlash: [...store.values.keys()].filter((k) => /^ob\d+$/.test(k)).length };
    // Connected: all go out, the first from flash, the rest from RAM; their PUBACKs empty the outbox.
    uplink.onConnected();
    for (let i = 0; i < mqtt.published.length && i < 20; i++) uplink.onPublished(mqtt.published[i].packetId);
    receiptAll(uplink, mqtt);
    const boot = startBoot(store, seeded(7));
    return {
      threw,
      kept,
      whileFull,
      sent: mqtt.published.map((p) => kindOf(p.payload)),
      end: { depth: outbox.depth, flashErrors: outbox.flashErrors },
      errors: errors.length,
      boot,
    };
  },

  /**
   * The boot counter: counts on; a node whose flash was erased (or whose counter was torn) starts
   * a new era instead of restarting at 1, so its ids never repeat an earlier boot's.
   */
  "boot-eras"(request: { trials: number }) {
    const store = new FaultyStore();
    const random = seeded(99);
    const ids: number[] = [];
    const hows: string[] = [];
    const take = () => {
      const boot = startBoot(store, random);
      ids.push(boot.bootId);
      hows.push(boot.how);
    };
    take(); // first start ever: a new era
    take();
    take(); // counted twice
    store.erase();
    take(); // erased: another era
    take();
    // The power fails while the next start writes its counter: the value is left cut short.
    store.powerCutAtWrite = store.writes + 1;
    store.tornFraction = 0.6;
    startBoot(store, random);
    store.restore();
    take(); // torn counter: another era
    // A counter written before eras (a bare number) counts on from where it was.
    const legacy = new MemoryStore();
    legacy.set("boot", "41");
    const fromLegacy = startBoot(legacy, random);
    // One node erased again and again: each new era must differ from the one before it.
    let repeats = 0;
    let previousEra = -1;
    let largest = 0;
    for (let i = 0; i < request.trials; i++) {
      const boot = startBoot(new MemoryStore(), random).bootId;
      if (bootEra(boot) === previousEra) repeats++;
      previousEra = bootEra(boot);
      largest = Math.max(largest, boot);
    }
    return { ids, hows, eras: ids.map(bootEra), fromLegacy, erasures: request.trials, repeats, largest };
  },

  /**
   * Power lost at a random write while alarms are written, sent and acknowledged: at the next
   * boot every alarm whose push returned (and that the broker had not acknowledged) is back,
   * intact, and nothing torn goes out.
   */
  "power-cuts"(request: { trials: number; seed: number }) {
    const random = seeded(request.seed);
    let lost = 0;
    let garbage = 0;
    let tornSlots = 0;
    let restoredTotal = 0;
    let cutsDuringWrite = 0;
    let durableTotal = 0;
    for (let trial = 0; trial < request.trials; trial++) {
      const store = new FaultyStore();
      const durable = new Set<string>();
      const acked = new Set<string>();
      let outbox = new Outbox({ storage: store, capacity: 6, overflowCapacity: 4 });
      outbox.load();
      store.powerCutAtWrite = store.writes + 1 + Math.floor(random() * 40);
      store.tornFraction = random();
      let n = 0;
      let packetId = 0;
      const inFlight = new Map<number, string>();
      {
        for (let step = 0; step < 60 && !store.dead; step++) {
          const roll = random();
          if (roll < 0.45) {
            const name = `a${++n}`;
            const payload = `{"alarm":"${name}","pad":"${"x".repeat(Math.floor(random() * 200))}"}`;
            // Durable once its push returned with it in a flash slot (one held in RAM dies with the power).
            if (outbox.push(OUTBOX_ALARM, topic, payload) && [...store.values.values()].some((v) => v.endsWith(payload))) durable.add(name);
          } else if (roll < 0.6) {
            outbox.push(OUTBOX_EVENT, topic, `{"event":"e${++n}"}`);
          } else if (roll < 0.7) {
            outbox.push(OUTBOX_TELEMETRY, topic, `{"telemetry":"t${++n}"}`);
          } else if (roll < 0.85) {
            const entry = outbox.nextToSend();
            if (entry && entry.priority !== OUTBOX_TELEMETRY) {
              outbox.sent(entry, ++packetId);
              inFlight.set(packetId, entry.payload);
            } else if (entry) outbox.discard(entry);
          } else {
            const [id, payload] = inFlight.entries().next().value ?? [0, ""];
            if (id) {
              inFlight.delete(id);
              // The broker has it once it sends the PUBACK, whether or not the node lives to delete the slot.
              const match = /"alarm":"(a\d+)"/.exec(payload);
              if (match) acked.add(match[1]);
              outbox.acknowledge(id);
            }
          }
        }
      }
      if (store.dead) cutsDuringWrite++;
      // Power back: a new boot reads what flash holds.
      store.restore();
      outbox = new Outbox({ storage: store, capacity: 6, overflowCapacity: 4 });
      restoredTotal += outbox.load();
      tornSlots += outbox.torn;
      const back = new Set<string>();
      for (let entry = outbox.nextToSend(); entry; entry = outbox.nextToSend()) {
        const parsed = (() => {
          try {
            return JSON.parse(entry.payload) as Record<string, string>;
          } catch {
            return null;
          }
        })();
        if (!parsed) garbage++;
        else if (parsed.alarm) back.add(parsed.alarm);
        outbox.sent(entry, ++packetId);
        outbox.acknowledge(packetId);
      }
      for (const name of durable) if (!acked.has(name) && !back.has(name)) lost++;
      durableTotal += durable.size;
    }
    return { trials: request.trials, cutsDuringWrite, restoredTotal, tornSlots, lost, garbage, durable: durableTotal };
  },
};

serveScenario((request: { case: string }) => {
  const run = cases[request.case];
  if (!run) throw new Error(`no case ${request.case}`);
  return run(request);
});
