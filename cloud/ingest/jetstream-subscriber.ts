import { AckPolicy, connect, DeliverPolicy, type ConsumerMessages, type JsMsg, type Msg, type MsgRequest, type NatsConnection, type Subscription } from "nats";
import { UPLINK_CHANNELS, type UplinkChannel } from "../../shared/topics";
import type { Logger } from "../log";
import type { Ingest } from "./ingest";
import type { IngestSubscription } from "./subscriber";

/**
 * The ingest's second transport: a NATS cluster whose servers run NATS's own MQTT listener, for
 * more than one machine (the MQTT path needs MQTT 5 shared subscriptions, which NATS does not
 * offer, and Mosquitto 2.0 forgets `$share` subscriptions at its restart).
 *
 * Nodes keep speaking MQTT 3.1.1. What NATS does with their messages (nats-server 2.9
 * `server/mqtt.go`, `mqttProcessPub`): a QoS 1 PUBLISH is stored in the JetStream stream
 * `$MQTT_msgs` under `$MQTT.msgs.<subject>` (topic `/` → subject `.`) and the PUBACK is sent
 * only once JetStream has stored it — with `stream_replicas: 3`, on a quorum of servers. The
 * stream keeps a message while a consumer is interested in it (interest retention). So the
 * cloud holds one durable consumer per uplink channel on that stream; every instance pulls from
 * the same durables, so each message goes to one instance, and an instance acknowledges a
 * message only once the ingest has stored it — the rule the MQTT path keeps with PUBACK. A message
 * an instance took and never acknowledged (it crashed, or its write failed) is delivered again
 * after `ackWaitMs` to whichever instance pulls next; (node, boot, seq) makes the copy a no-op.
 *
 * QoS 0 messages (telemetry, heartbeats) are not stored by NATS: they arrive on the plain subject
 * (`sw.v1.node.<id>.<channel>`), here through a queue group so each goes to one instance, and are
 * lost if none is there — as QoS 0 is allowed to be.
 */
export interface JetStreamSubscriberOptions {
  /** NATS client URLs of the cluster's servers (NATS_URLS); the client fails over among them. */
  servers: string[];
  user?: string;
  pass?: string;
  /** Names of the shared durable consumers (`<prefix>-<channel>`) and of the QoS 0 queue group. Instances sharing it share the work. */
  durablePrefix?: string;
  /** Unacknowledged messages one durable hands out (across instances) before it waits. Default 2000. */
  maxAckPending?: number;
  /** A message taken and not acknowledged within this goes to another pull. Default 10 s. */
  ackWaitMs?: number;
  /** Start-up fails if the consumers are not in place within this. Default 30 s (a cluster electing its leaders takes seconds). */
  firstConnectTimeoutMs?: number;
  /** This instance's name, shown by NATS's monitoring. */
  name?: string;
  /** How often the stream is swept for messages a durable passed over ({@link JetStreamIngest}'s sweep). Default 10 s. */
  sweepEveryMs?: number;
}

/** The JetStream stream NATS's MQTT listener stores QoS 1 messages in, and the prefix of its subjects. */
export const MQTT_MESSAGES_STREAM = "$MQTT_msgs";
const MQTT_MESSAGES_PREFIX = "$MQTT.msgs.";
/** The header NATS's MQTT listener puts on every message published over MQTT: the publish's QoS. */
const MQTT_QOS_HEADER = "Nmqtt-Pub";
const TOPIC_SUBJECT_ROOT = "sw.v1.node";

export async function startJetStreamSubscriber(options: JetStreamSubscriberOptions, ingest: Ingest, log: Logger): Promise<IngestSubscription & { readonly recovered: number }> {
  const subscriber = new JetStreamIngest(options, ingest, log);
  await subscriber.start();
  log("info", "ingest pulling from JetStream", { servers: options.servers.length, durables: UPLINK_CHANNELS.map((c) => subscriber.durable(c)).join(",") });
  return subscriber;
}

/**
 * An MQTT topic from the NATS subject NATS's MQTT listener made of it (`/` ↔ `.`). Node ids and
 * channels hold no `.` (shared/protocol.ts NODE_ID_PATTERN), so the mapping is one to one here;
 * anything else is passed on as it is and the codec refuses it as an unknown topic.
 */
export function topicFromSubject(subject: string): string {
  const plain = subject.startsWith(MQTT_MESSAGES_PREFIX) ? subject.slice(MQTT_MESSAGES_PREFIX.length) : subject;
  return plain.split(".").join("/");
}

/** How long a message may wait in the stream for an idle durable before the sweep takes it (see JetStreamIngest). */
const STALE_GRACE_MS = 5000;

/** The subjects one channel's durable takes: `$MQTT.msgs.sw.v1.node.*.<channel>`. */
const channelSubjects = (channel: UplinkChannel) => `${MQTT_MESSAGES_PREFIX}${TOPIC_SUBJECT_ROOT}.*.${channel}`;

/**
 * One instance of the JetStream ingest. Besides pulling, it sweeps: every `sweepEveryMs` (and once
 * at start) it asks each durable where it stands and reads what the stream still holds on the
 * durable's subjects that the durable will not hand out — below its ack floor, or, when it has
 * nothing to deliver and nothing awaiting acknowledgement, held for more than STALE_GRACE_MS. With
 * interest retention the stream drops a message once the durables that want it have acknowledged
 * it, so such a message was passed over. bench:ha saw both after a whole-cluster restart
 * (nats-server 2.9.10), with no cloud running while alarms waited: once one alarm below the alarm
 * durable's ack floor, `redelivered 0`, never stored; once all 24 waiting alarms, the durable
 * reporting nothing pending and nothing awaiting acknowledgement, its delivered position inside
 * them. The sweep hands such messages to the ingest as if pulled; (node, boot, seq) makes any copy
 * a no-op, as does a message kept only for another consumer's sake. It cannot acknowledge them
 * (the durable does not count them as pending), so they stay in the stream; each instance reads a
 * stretch of it once (`#swept`), again only after its own restart.
 */
class JetStreamIngest implements IngestSubscription {
  #options: JetStreamSubscriberOptions;
  #ingest: Ingest;
  #log: Logger;
  #nc: NatsConnection | undefined;
  #streams: ConsumerMessages[] = [];
  #core: Subscription | undefined;
  #acknowledged = 0;
  #closing = false;
  #ready = false;
  /** Per channel, the stream sequence up to which this instance has swept. */
  #swept = new Map<UplinkChannel, number>();
  #sweeping: Promise<void> | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #recovered = 0;

  constructor(options: JetStreamSubscriberOptions, ingest: Ingest, log: Logger) {
    if (options.servers.length === 0) throw new Error("NATS_URLS lists no server");
    this.#options = options;
    this.#ingest = ingest;
    this.#log = log;
  }

  get connected(): boolean {
    return this.#ready && this.#nc !== undefined && !this.#nc.isClosed();
  }

  get acknowledged(): number {
    return this.#acknowledged;
  }

  /** Messages the sweep found passed over by a durable and stored. */
  get recovered(): number {
    return this.#recovered;
  }

  durable(channel: UplinkChannel): string {
    return `${this.#options.durablePrefix ?? "sw-ingest"}-${channel}`;
  }

  async start(): Promise<void> {
    const timeoutMs = this.#options.firstConnectTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const nc = await connect({
      servers: this.#options.servers,
      user: this.#options.user,
      pass: this.#options.pass,
      name: this.#options.name,
      // Keep trying for ever once running: a cluster restart must not end the cloud.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: Math.min(timeoutMs, 10_000),
    }).catch((error: Error) => {
      throw new Error(`could not reach NATS at ${this.#options.servers.join(", ")}: ${error.message}`);
    });
    this.#nc = nc;
    void this.#watchStatus(nc);
    /**
     * Tries `attempt` every 500 ms until the first-connect deadline. A cluster that just restarted
     * answers its JetStream API with 503 until its servers have elected their leaders: a cloud
     * started then waits for it (bench:ha saw one exit "Could not start: 503").
     */
    const patiently = async <T>(attempt: () => Promise<T>, failure: (error: Error) => string): Promise<T> => {
      for (;;) {
        try {
          return await attempt();
        } catch (error) {
          if (Date.now() > deadline) throw new Error(failure(error as Error));
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };
    try {
      const jsm = await patiently(() => nc.jetstreamManager({ timeout: 5000 }), (error) => `NATS JetStream did not answer (${error.message}): is JetStream on?`);
      // The MQTT listener makes its streams when its first MQTT client connects (the cloud's own
      // publishers have by now); a cluster still electing its leaders answers after a while.
      const info = await patiently(
        () => jsm.streams.info(MQTT_MESSAGES_STREAM),
        (error) => `NATS has no ${MQTT_MESSAGES_STREAM} stream (${error.message}): is JetStream on and the mqtt listener configured?`,
      );
      const replicas = info.config.num_replicas;
      for (const channel of UPLINK_CHANNELS) {
        const config = {
          durable_name: this.durable(channel),
          filter_subject: channelSubjects(channel),
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: (this.#options.ackWaitMs ?? 10_000) * 1_000_000,
          max_ack_pending: this.#options.maxAckPending ?? 2000,
          // As many copies as the stream, so the consumer's position survives a server's loss.
          num_replicas: replicas,
        };
        await patiently(
          () =>
            jsm.consumers.add(MQTT_MESSAGES_STREAM, config).catch((error: Error) => {
              // Another instance made it first with the same settings, or it is there from a previous run.
              if (!/already (exists|in use)/i.test(error.message)) throw error;
            }),
          (error) => `could not create the ingest's JetStream consumer ${config.durable_name}: ${error.message}`,
        );
      }
      const js = nc.jetstream();
      for (const channel of UPLINK_CHANNELS) {
        const consumer = await patiently(
          () => js.consumers.get(MQTT_MESSAGES_STREAM, this.durable(channel)),
          (error) => `could not reach the ingest's JetStream consumer ${this.durable(channel)}: ${error.message}`,
        );
        // Up to 1000 messages in hand per channel: the ingest's largest transaction. Pulls expire
        // after 5 s, so the idle heartbeat is 2.5 s: a pull stranded on a server that died is
        // noticed and made again within seconds, not the default 30 s.
        const messages = await patiently(
          () => consumer.consume({ max_messages: 1000, expires: 5000 }),
          (error) => `could not pull from the ingest's JetStream consumer ${this.durable(channel)}: ${error.message}`,
        );
        this.#streams.push(messages);
        void this.#drain(messages);
      }
      this.#core = nc.subscribe(`${TOPIC_SUBJECT_ROOT}.*.*`, {
        queue: this.#options.durablePrefix ?? "sw-ingest",
        callback: (error, message) => {
          if (!error) this.#qos0(message);
        },
      });
      this.#ready = true;
      this.#sweepTimer = setInterval(() => void this.sweep(), this.#options.sweepEveryMs ?? 10_000);
      this.#sweepTimer.unref();
      void this.sweep();
    } catch (error) {
      this.#closing = true;
      await nc.close();
      throw error;
    }
  }

  async #drain(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const message of messages) this.#take(message);
    } catch (error) {
      if (!this.#closing) this.#log("error", "ingest's JetStream consumer stopped", { error: (error as Error).message });
    }
  }

  /** One sweep of every channel (see the class); a sweep already under way is awaited, not doubled. */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweepChannels().finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  async #sweepChannels(): Promise<void> {
    const nc = this.#nc;
    if (!nc || nc.isClosed() || this.#closing) return;
    try {
      const jsm = await nc.jetstreamManager({ timeout: 5000 });
      for (const channel of UPLINK_CHANNELS) {
        const consumer = await jsm.consumers.info(MQTT_MESSAGES_STREAM, this.durable(channel));
        const floor = consumer.ack_floor.stream_seq;
        // A durable with nothing to deliver and nothing awaiting acknowledgement will not hand out
        // what the stream still holds for it: past a moment's grace, that is swept up too.
        const idle = consumer.num_pending === 0 && consumer.num_ack_pending === 0;
        const heldBefore = Date.now() - STALE_GRACE_MS;
        let from = (this.#swept.get(channel) ?? 0) + 1;
        while (!this.#closing) {
          // The first message at or after `from` on the channel's subjects (STREAM.MSG.GET's next_by_subj, nats-server ≥ 2.9).
          const held = await jsm.streams.getMessage(MQTT_MESSAGES_STREAM, { seq: from, next_by_subj: channelSubjects(channel) } as unknown as MsgRequest).catch((error: Error) => {
            if (/no message found/i.test(error.message)) return null;
            throw error;
          });
          if (!held || (held.seq > floor && !(idle && held.time.getTime() < heldBefore))) break;
          const outcome = await this.#ingest.handle(topicFromSubject(held.subject), held.data);
          // Not stored: the next sweep starts here again.
          if (outcome === "failed") return;
          if (outcome === "stored") {
            this.#recovered++;
            this.#log("warn", "ingest stored a message its JetStream consumer had passed over", {
              durable: this.durable(channel),
              streamSeq: held.seq,
              subject: held.subject,
              ackFloor: floor,
              delivered: consumer.delivered.stream_seq,
              pending: consumer.num_pending,
            });
          }
          this.#swept.set(channel, held.seq);
          from = held.seq + 1;
        }
        if (!this.#closing) this.#swept.set(channel, Math.max(this.#swept.get(channel) ?? 0, floor));
      }
    } catch (error) {
      // The cluster restarting or electing: the next sweep tries again.
      if (!this.#closing) this.#log("warn", "ingest's sweep of the JetStream stream failed", { error: (error as Error).message });
    }
  }

  #take(message: JsMsg): void {
    void this.#ingest.handle(topicFromSubject(message.subject), message.data).then((outcome) => {
      if (outcome === "failed") {
        // Not stored: hand it back, to this instance or another, after a pause for the database.
        message.nak(1000);
        return;
      }
      // Acknowledged only once stored (or known to be a copy, or refused for good as malformed).
      message.ack();
      this.#acknowledged++;
    });
  }

  #qos0(message: Msg): void {
    // QoS 1 copies of the same publish also reach plain subscribers; those are the durables' to take.
    if (message.headers?.get(MQTT_QOS_HEADER) !== "0") return;
    const channel = message.subject.slice(message.subject.lastIndexOf(".") + 1);
    if (!(UPLINK_CHANNELS as readonly string[]).includes(channel)) return;
    void this.#ingest.handle(topicFromSubject(message.subject), message.data);
  }

  async #watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (this.#closing) return;
      if (status.type === "disconnect" || status.type === "reconnect") this.#log("warn", `ingest's NATS connection: ${status.type}`, { server: String(status.data) });
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweepTimer);
    await this.#sweeping;
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return;
    this.#core?.unsubscribe();
    for (const messages of this.#streams) messages.stop();
    await this.#ingest.idle();
    // Let the last batch's acknowledgements be written before the connection goes.
    await new Promise((resolve) => setImmediate(resolve));
    await nc.flush().catch(() => undefined);
    await nc.close();
  }
}
