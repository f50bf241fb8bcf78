import { Outbox } from "../../../firmware/link/outbox";
import { LinkSession } from "../../../firmware/link/session";
import { Uplink } from "../../../firmware/link/uplink";
import { Ecma419Mqtt } from "../../../firmware/platform/esp32/ecma419-mqtt";
import { VirtualClock } from "../../../firmware/platform/sim/virtual-clock";
import { nodeTopic } from "../../../shared/topics";
import { ModelBroker, modelProvider } from "./ecma419-model";
import { MemoryStore } from "./memory-store";
import { serveScenario } from "./scenario";

declare global {
  // eslint-disable-next-line no-var
  var lastBroker: ModelBroker | undefined;
}

const nodeId = "smoke-esp32";
const alarm = { kind: "smoke", severity: "alarm", state: "raised", value: 900, unit: "raw", threshold: 700 } as const;
const typeOf = (payload: string) => (JSON.parse(payload) as { type: string }).type;

/** The ESP32 wrapper under the real link session, uplink and outbox, talking to the model client and broker. */
function node(broker: ModelBroker) {
  const clock = new VirtualClock();
  const mqtt = new Ecma419Mqtt(modelProvider(broker), "broker.local", 1883);
  const outbox = new Outbox({ storage: new MemoryStore(), capacity: 16 });
  outbox.load();
  const uplink = new Uplink({ nodeId, bootId: 7, mqtt, clock, outbox });
  const commands: string[] = [];
  const session = new LinkSession({
    mqtt,
    uplink,
    timers: clock,
    log: () => {},
    random: () => 0.5,
    firmwareVersion: "1.0.0",
    credentials: { username: nodeId, password: "secret" },
    keepAliveMs: 30_000,
    backoff: { firstMs: 1000, maxMs: 8000, minMs: 0 },
    onCommand: (_topic, payload) => commands.push(payload),
  });
  return { clock, mqtt, outbox, uplink, session, commands };
}

/** Runs `step`, returning what it threw, as a detector calling `uplink.alarm` would meet it. */
function thrownBy(step: () => void): string | null {
  try {
    step();
    return null;
  } catch (error) {
    return String(error);
  }
}

serveScenario((request: { case: string; sendBufferBytes?: number }) => {
  if (request.case === "small-send-buffer") {
    // A socket with little room (lwIP's send buffer shared with a retransmission): the first
    // connection has six alarms from flash waiting, more are raised while it is full.
    const broker = new ModelBroker();
    const { clock, outbox, uplink, session } = node(broker);
    for (let i = 0; i < 6; i++) uplink.alarm({ ...alarm, value: 900 + i });
    session.start();
    const throws: Array<string | null> = [];
    throws.push(thrownBy(() => broker.accept(broker.client, request.sendBufferBytes ?? 300)));
    const afterConnect = broker.received.length;
    throws.push(thrownBy(() => uplink.alarm({ ...alarm, value: 990 })));
    throws.push(thrownBy(() => uplink.alarm({ ...alarm, value: 991 })));
    // The socket drains and the broker acknowledges, turn by turn, until nothing is left.
    let turns = 0;
    while (turns < 100 && (outbox.depth > outbox.awaitingReceipt || broker.client.state === "publishing")) {
      throws.push(thrownBy(() => broker.client.drain()));
      throws.push(thrownBy(() => broker.acknowledgeAll()));
      clock.advance(10);
      turns++;
    }
    const alarms = broker.received.filter((m) => typeOf(m.payload) === "alarm");
    // The cloud's receipt for them all (shared/receipts.ts): the outbox empties.
    uplink.onStored(JSON.stringify({ v: 1, boot: uplink.bootId, seqs: alarms.map((m) => (JSON.parse(m.payload) as { seq: number }).seq) }));
    return {
      throws: throws.filter((t) => t !== null),
      overflows: broker.overflows,
      afterConnect,
      turns,
      order: broker.received.map((m) => typeOf(m.payload)),
      alarmValues: alarms.map((m) => (JSON.parse(m.payload) as { value: number }).value),
      alarmQos: [...new Set(alarms.map((m) => m.qos))],
      fragmented: broker.received.filter((m) => m.fragments > 1).length,
      subscribed: [...(broker.sessions.get(nodeId)?.subscriptions ?? [])],
      end: { depth: outbox.depth, inFlight: outbox.inFlight, connected: uplink.connected },
    };
  }

  if (request.case === "command-while-offline") {
    const broker = new ModelBroker();
    const { clock, session, commands, uplink } = node(broker);
    session.start();
    broker.accept(broker.client, 4096);
    broker.acknowledgeAll();
    const cmdTopic = nodeTopic(nodeId, "cmd");
    broker.publish(cmdTopic, '{"id":"c1","op":"selfTest"}');
    const whileOnline = [...commands];
    // The broker restarts, or Wi-Fi drops: the connection is gone, and the cloud sends a command meanwhile.
    broker.drop();
    const disconnected = !uplink.connected;
    broker.publish(cmdTopic, '{"id":"c2","op":"selfTest"}');
    clock.advance(10_000);
    const reconnected = broker.clients.length;
    broker.accept(broker.client, 4096);
    // A claim connection is a one-off: it leaves no session behind.
    const claim = new Ecma419Mqtt(modelProvider(broker), "broker.local", 1883);
    claim.connect({ clientId: "claim-0001", keepAliveMs: 30_000 });
    broker.accept(broker.client, 4096);
    return { whileOnline, afterReconnect: commands, disconnected, reconnected, connects: broker.connects };
  }

  if (request.case === "close-on-message") {
    // A claim: the answer arrives, the claim connection is closed from its onMessage, and the
    // node's own session connects at once, all inside the client's onReadable.
    const broker = new ModelBroker();
    const mqtt = new Ecma419Mqtt(modelProvider(broker), "broker.local", 1883);
    const answer = "sw/v1/claim/b1/a4cf12000001/resp";
    const received: string[] = [];
    mqtt.onConnected = () => mqtt.subscribe(answer);
    mqtt.onMessage = (_topic, payload) => {
      received.push(payload);
      mqtt.close();
      mqtt.connect({ clientId: "a4cf12000001", keepAliveMs: 30_000, persistentSession: true });
    };
    mqtt.connect({ clientId: "claim-a4cf12000001", keepAliveMs: 30_000 });
    broker.accept(broker.client, 4096);
    const threw = thrownBy(() => broker.publish(answer, '{"ok":true}'));
    globalThis.lastBroker = broker;
    return { threw, received, clients: broker.clients.length, claimStateNow: broker.clients[0].state };
  }

  if (request.case === "close-on-message-after") {
    // After the turn: the deferred close has run.
    return { claimState: globalThis.lastBroker!.clients[0].state, nodeState: globalThis.lastBroker!.clients[1].state };
  }

  throw new Error(`unknown case ${request.case}`);
});
