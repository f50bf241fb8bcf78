import { Backoff } from "../../../firmware/link/backoff";
import { CommandInbox } from "../../../firmware/link/commands";
import { OUTBOX_ALARM, OUTBOX_EVENT, OUTBOX_TELEMETRY, Outbox, type OutboxPriority } from "../../../firmware/link/outbox";
import { LinkSession } from "../../../firmware/link/session";
import { Uplink } from "../../../firmware/link/uplink";
import type { MqttConnectOptions, MqttSession } from "../../../firmware/ports/mqtt";
import { VirtualClock } from "../../../firmware/platform/sim/virtual-clock";
import { MemoryStore } from "./memory-store";
import { serveScenario } from "./scenario";

/** Records what the link asks of MQTT; the scenario plays the broker's answers. */
class FakeMqtt implements MqttSession {
  onConnected: () => void = () => {};
  onPublished: (packetId: number) => void = () => {};
  onMessage: (topic: string, payload: string) => void = () => {};
  onDisconnected: (reason: string) => void = () => {};
  published: Array<{ topic: string; payload: string; qos: number; retain: boolean; packetId: number }> = [];
  connects: Array<{ atMs: number; options: MqttConnectOptions }> = [];
  subscribed: string[] = [];
  #nextId = 0;
  constructor(readonly clock: VirtualClock) {}
  connect(options: MqttConnectOptions): void {
    this.connects.push({ atMs: this.clock.now(), options });
  }
  publish(topic: string, payload: string, qos: 0 | 1, retain = false): number {
    const packetId = qos === 0 ? 0 : ++this.#nextId;
    this.published.push({ topic, payload, qos, retain, packetId });
    return packetId;
  }
  subscribe(filter: string): void {
    this.subscribed.push(filter);
  }
  close(): void {}
}

const nodeId = "smoke-007";
const topic = "sw/v1/node/smoke-007/alarm";
const seqOf = (payload: string) => (JSON.parse(payload) as { seq: number }).seq;

function snapshot(outbox: Outbox, store: MemoryStore) {
  return {
    depth: outbox.depth,
    alarms: outbox.alarms,
    dropped: { ...outbox.dropped },
    slotsInFlash: [...store.values.keys()].filter((key) => /^ob\d+$/.test(key)).length,
  };
}

/** Drains an outbox as a connected uplink would, returning payloads in send order. */
function drain(outbox: Outbox): string[] {
  const sent: string[] = [];
  let packetId = 1;
  for (let entry = outbox.nextToSend(); entry; entry = outbox.nextToSend()) {
    sent.push(entry.payload);
    if (entry.priority === OUTBOX_TELEMETRY) {
      outbox.discard(entry);
    } else {
      outbox.sent(entry, packetId);
      outbox.acknowledge(packetId++);
    }
  }
  return sent;
}

const cases: Record<string, (request: any) => unknown> = {
  /** Written before sending, read back by the next boot in the order raised. */
  "outbox-survives-reboot"() {
    const store = new MemoryStore();
    const first = new Outbox({ storage: store, capacity: 8 });
    first.load();
    const pushed: Array<[OutboxPriority, string]> = [
      [OUTBOX_ALARM, "a1"],
      [OUTBOX_EVENT, "e1"],
      [OUTBOX_ALARM, "a2"],
      [OUTBOX_TELEMETRY, "t1"],
      [OUTBOX_ALARM, "a3"],
    ];
    for (const [priority, payload] of pushed) first.push(priority, topic, payload);
    // a1 goes out and is acknowledged; a2 goes out but the power fails before its PUBACK.
    const a1 = first.nextToSend()!;
    first.sent(a1, 11);
    first.acknowledge(11);
    const e1 = first.nextToSend()!;
    first.sent(e1, 12);
    const second = new Outbox({ storage: store, capacity: 8 });
    const restored = second.load();
    const third = new Outbox({ storage: store, capacity: 8 });
    third.load();
    third.push(OUTBOX_ALARM, topic, "a4");
    return { restored, order: drain(third), afterDrain: snapshot(third, store), keys: [...store.values.keys()].sort() };
  },

  /** Bounded: telemetry goes first, then events; an alarm never evicts an alarm. */
  "outbox-full"() {
    const store = new MemoryStore();
    const outbox = new Outbox({ storage: store, capacity: 6, overflowCapacity: 2 });
    outbox.load();
    const steps: Array<{ pushed: string; kept: boolean; state: ReturnType<typeof snapshot> }> = [];
    const push = (priority: OutboxPriority, payload: string) => steps.push({ pushed: payload, kept: outbox.push(priority, topic, payload), state: snapshot(outbox, store) });
    for (let i = 1; i <= 4; i++) push(OUTBOX_TELEMETRY, `t${i}`);
    push(OUTBOX_EVENT, "e1");
    push(OUTBOX_ALARM, "a1"); // fills the sixth slot
    push(OUTBOX_TELEMETRY, "t5"); // replaces t1
    push(OUTBOX_ALARM, "a2"); // evicts t2
    push(OUTBOX_EVENT, "e2"); // evicts t3
    push(OUTBOX_ALARM, "a3"); // evicts t4
    push(OUTBOX_ALARM, "a4"); // evicts t5
    push(OUTBOX_EVENT, "e3"); // no telemetry left, events do not evict events: dropped
    push(OUTBOX_ALARM, "a5"); // evicts e1
    push(OUTBOX_ALARM, "a6"); // evicts e2: now six alarms
    push(OUTBOX_ALARM, "a7"); // waits in RAM
    push(OUTBOX_ALARM, "a8"); // waits in RAM
    push(OUTBOX_ALARM, "a9"); // RAM overflow full: refused, counted
    push(OUTBOX_TELEMETRY, "t6"); // dropped
    const order = drain(outbox);
    return { steps, order, end: snapshot(outbox, store) };
  },

  /** A build with a smaller outbox still sends what the bigger one left. */
  "outbox-shrinks"() {
    const store = new MemoryStore();
    const big = new Outbox({ storage: store, capacity: 10 });
    big.load();
    for (let i = 1; i <= 8; i++) big.push(OUTBOX_ALARM, topic, `a${i}`);
    const small = new Outbox({ storage: store, capacity: 4 });
    const restored = small.load();
    const inFlash = snapshot(small, store).slotsInFlash;
    return { restored, inFlash, order: drain(small), end: snapshot(small, store), capacityKey: store.values.get("obn") };
  },

  /**
   * Alarms wait for the cloud's receipt after the broker's PUBACK: kept in flash, sent again when
   * none comes, gone when it does. Before any receipt this boot, let go after three PUBACKs.
   */
  "uplink-alarm-receipts"() {
    const clock = new VirtualClock();
    const store = new MemoryStore();
    const mqtt = new FakeMqtt(clock);
    const outbox = new Outbox({ storage: store, capacity: 8 });
    outbox.load();
    const logged: string[] = [];
    const uplink = new Uplink({ nodeId, bootId: 5, mqtt, clock, outbox, receiptWaitMs: 1000, log: (level, message) => logged.push(`${level} ${message}`) });
    const body = { kind: "smoke", severity: "alarm", state: "raised", value: 900, unit: "raw", threshold: 700 } as const;
    const ackAll = () => {
      for (const p of mqtt.published) if (p.packetId !== 0 && !acked.has(p.packetId)) {
        acked.add(p.packetId);
        uplink.onPublished(p.packetId);
      }
    };
    const acked = new Set<number>();
    const sends = () => mqtt.published.filter((p) => p.topic === topic).map((p) => seqOf(p.payload));
    const receipt = (seqs: number[], boot = 5) => uplink.onStored(JSON.stringify({ v: 1, boot, seqs }));
    uplink.onConnected();

    // No receipt yet this boot: an alarm goes again when none comes, and after its third PUBACK
    // it is let go, as before receipts (a cloud that sends none).
    uplink.alarm(body); // seq 1
    ackAll();
    const afterFirstAck = { ...snapshot(outbox, store), awaiting: outbox.awaitingReceipt };
    clock.advance(999);
    uplink.checkReceipts();
    const beforeDue = sends();
    clock.advance(1);
    uplink.checkReceipts();
    ackAll(); // second PUBACK; next wait 2 s
    clock.advance(2000);
    uplink.checkReceipts();
    ackAll(); // third: let go
    const withoutReceipts = { sends: sends(), ...snapshot(outbox, store), logged: [...logged] };

    // A receipt arrives (for an unknown seq, from a replay): the cloud sends them, so alarms now
    // wait for theirs however many PUBACKs it takes.
    const unknown = receipt([99]);
    uplink.alarm(body); // seq 2
    for (let i = 0; i < 5; i++) {
      ackAll();
      clock.advance(60_000);
      uplink.checkReceipts();
    }
    ackAll();
    const waiting = { sends: sends().filter((s) => s === 2).length, ...snapshot(outbox, store), awaiting: outbox.awaitingReceipt };
    const confirmed = receipt([2]);
    const afterReceipt = snapshot(outbox, store);

    // A receipt for another boot confirms nothing; a malformed one is ignored; a reconnect sends
    // a waiting alarm again at once.
    uplink.alarm(body); // seq 3
    ackAll();
    const otherBoot = receipt([3], 4);
    const malformed = uplink.onStored('{"v":1,"boot":5,"seqs":["3"]}');
    const beforeReconnect = sends().length;
    uplink.onDisconnected();
    uplink.onConnected();
    const resentOnReconnect = sends().slice(beforeReconnect);
    ackAll();
    receipt([3]);

    // Every slot an acknowledged alarm waiting for its receipt: a new alarm takes the oldest one's
    // slot instead of waiting in RAM.
    for (let i = 0; i < 8; i++) uplink.alarm(body); // seqs 4–11
    ackAll();
    uplink.onDisconnected();
    uplink.alarm(body); // seq 12, while offline
    const full = { ...snapshot(outbox, store), awaiting: outbox.awaitingReceipt, unconfirmed: outbox.unconfirmed };
    return { afterFirstAck, beforeDue, withoutReceipts, unknown, waiting, confirmed, afterReceipt, otherBoot, malformed, resentOnReconnect, full };
  },

  /** Sends in order, a window at a time; a drop sends what was unacknowledged again, oldest first. */
  "uplink-replays-in-order"() {
    const clock = new VirtualClock();
    const store = new MemoryStore();
    const mqtt = new FakeMqtt(clock);
    const outbox = new Outbox({ storage: store, capacity: 64 });
    outbox.load();
    const uplink = new Uplink({ nodeId, bootId: 3, mqtt, clock, outbox, maxInFlight: 4 });
    const body = { kind: "smoke", severity: "alarm", state: "raised", value: 900, unit: "raw", threshold: 700 } as const;
    for (let i = 0; i < 10; i++) uplink.alarm(body);
    const whileOffline = mqtt.published.length;
    uplink.onConnected();
    const firstWindow = mqtt.published.map((p) => seqOf(p.payload));
    // The broker acknowledges the first two, then the link drops.
    uplink.onPublished(mqtt.published[0].packetId);
    uplink.onPublished(mqtt.published[1].packetId);
    uplink.onDisconnected();
    const beforeReconnect = mqtt.published.length;
    uplink.onConnected();
    const afterReconnect = mqtt.published.slice(beforeReconnect).map((p) => seqOf(p.payload));
    // Acknowledge everything as it goes out.
    for (let i = beforeReconnect; i < mqtt.published.length; i++) uplink.onPublished(mqtt.published[i].packetId);
    const everySend = mqtt.published.map((p) => seqOf(p.payload));
    // Acknowledged alarms wait for the cloud's receipt; it names them all.
    const awaitingReceipt = outbox.awaitingReceipt;
    uplink.onStored(JSON.stringify({ v: 1, boot: 3, seqs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }));
    uplink.telemetry({ readings: { smokeRaw: 300 } });
    const telemetry = mqtt.published.at(-1)!;
    return {
      whileOffline,
      firstWindow,
      afterReconnect,
      everySend,
      awaitingReceipt,
      queued: uplink.queued,
      telemetryQos: telemetry.qos,
      telemetryTopic: telemetry.topic,
      flashKeys: [...store.values.keys()].filter((k) => /^ob\d+$/.test(k)).length,
    };
  },

  /** Exactly one ack per command; refusals say why; a redelivered command is not carried out twice. */
  commands(request: { inputs: Array<{ topic: string; payload: string }> }) {
    const clock = new VirtualClock();
    const mqtt = new FakeMqtt(clock);
    const outbox = new Outbox({ storage: new MemoryStore(), capacity: 32 });
    outbox.load();
    const uplink = new Uplink({ nodeId, bootId: 1, mqtt, clock, outbox });
    uplink.onConnected();
    const calls: string[] = [];
    const inbox = new CommandInbox({
      nodeId,
      uplink,
      log: () => {},
      handlers: {
        config: (changes) => {
          calls.push(`config ${JSON.stringify(changes)}`);
          return changes.telemetryIntervalMs === 5 ? "telemetryIntervalMs must be 0 or at least 1000" : null;
        },
        relayTest: (durationMs) => {
          calls.push(`relay ${durationMs}`);
          return null;
        },
        display: (text) => {
          if (text === "boom") throw new Error("display bus timed out");
          calls.push(`display ${text}`);
          return null;
        },
        selfTest: () => {
          calls.push("self-test");
          return { result: "failed", detail: "chamber reads 0: photodiode open" };
        },
        reboot: () => calls.push("reboot"),
      },
    });
    let acknowledged = 0;
    for (const input of request.inputs) {
      inbox.receive(input.topic, input.payload);
      // The broker acknowledges each ack as it arrives.
      while (acknowledged < mqtt.published.length) uplink.onPublished(mqtt.published[acknowledged++].packetId);
    }
    const acks = mqtt.published.filter((p) => p.topic.endsWith("/ack")).map((p) => JSON.parse(p.payload));
    return { calls, acks };
  },

  /** Full jitter: every delay within [min, ceiling], ceilings doubling to the maximum, back to the first after a success. */
  backoff(request: { seed: number; draws: number }) {
    let state = request.seed;
    const random = () => {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state / 4294967296;
    };
    const sequences: number[][] = [];
    for (let run = 0; run < request.draws; run++) {
      const backoff = new Backoff({ firstMs: 1000, maxMs: 16_000, minMs: 100, random });
      const delays: number[] = [];
      for (let i = 0; i < 7; i++) delays.push(backoff.next());
      backoff.reset();
      delays.push(backoff.next());
      sequences.push(delays);
    }
    return { sequences };
  },

  /** The session: boot spread, backoff after each failure, online status naming its will, command topic. */
  session() {
    const clock = new VirtualClock();
    const mqtt = new FakeMqtt(clock);
    const outbox = new Outbox({ storage: new MemoryStore(), capacity: 8 });
    outbox.load();
    const uplink = new Uplink({ nodeId, bootId: 4, mqtt, clock, outbox });
    let draws = 0;
    const session = new LinkSession({
      mqtt,
      uplink,
      timers: clock,
      log: () => {},
      random: () => [0.5, 0.25, 1, 0.75, 0.5, 0.5][draws++ % 6],
      firmwareVersion: "9.9.9",
      credentials: {},
      keepAliveMs: 30_000,
      bootSpreadMs: 4000,
      backoff: { firstMs: 1000, maxMs: 8000, minMs: 0 },
    });
    session.start();
    clock.advance(1999);
    const beforeSpread = mqtt.connects.length;
    clock.advance(1);
    // Three failed attempts, then success.
    for (let i = 0; i < 3; i++) {
      mqtt.onDisconnected("connection refused");
      clock.advance(20_000);
    }
    mqtt.onConnected();
    const will = JSON.parse(mqtt.connects.at(-1)!.options.will!.payload);
    const status = mqtt.published.find((p) => p.topic.endsWith("/status"))!;
    return {
      beforeSpread,
      connectTimes: mqtt.connects.map((c) => c.atMs),
      will: { ...will, retain: mqtt.connects.at(-1)!.options.will!.retain, clientId: mqtt.connects.at(-1)!.options.clientId, keepAliveMs: mqtt.connects.at(-1)!.options.keepAliveMs },
      online: { ...JSON.parse(status.payload), retain: status.retain, qos: status.qos },
      subscribed: mqtt.subscribed,
      attempts: session.attempts,
    };
  },
};

serveScenario((request: { case: string }) => {
  const run = cases[request.case];
  if (!run) throw new Error(`no case ${request.case}`);
  return run(request);
});
