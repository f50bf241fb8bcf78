import { nodeTopic, uplinkFilters } from "../../shared/topics";
import type { Logger } from "../log";
import type { Ingest } from "./ingest";
import { startSubscriber, type IngestSubscription, type SubscriberOptions } from "./subscriber";

/** The alarm channel's filter: `sw/v1/node/+/alarm`. */
export const ALARM_FILTER = nodeTopic("+", "alarm");

/**
 * The MQTT ingest as two persistent sessions: one for alarms and one for everything else. A
 * broker queues and delivers each session's messages in order, within its Receive Maximum, so
 * with one session a fresh alarm waited behind every status, heartbeat and replayed message the
 * reconnecting fleet had sent before it (bench:storm: seconds when 10,000 nodes came back at
 * once). On its own session an alarm waits only behind other alarms; the ingest then writes it in
 * its own small transaction (ingest.ts: alarms have their own group commit).
 *
 * The alarm session's client id is the instance's with `-alarms`; the other keeps the instance's
 * own, and drops the alarm filter a session from before this split still holds.
 */
/**
 * The alarm session tries again every 10–20 ms while its broker is away: every alarm raised
 * meanwhile waits at the broker for it. With the 2 s ceiling the other session keeps, the fires
 * of the first second after a broker restart waited up to 2 s; at 50–100 ms, bench:storm's fires
 * of the first 150 ms still waited 90–165 ms for the session (the bystander had them in 1–3 ms),
 * which was its whole p99. A refused connection to a broker that is down costs it nothing; the
 * other session coming back later leaves the first moments to the alarms.
 */
const ALARM_RETRY = { firstMs: 10, maxMs: 20 };

export async function startMqttIngest(
  options: SubscriberOptions & {
    holdBulk?: SubscriberOptions["holdReading"];
    /** Starts the other session elsewhere (bulk-thread.ts) instead of on this thread with `ingest`. */
    startRest?: (rest: SubscriberOptions) => Promise<IngestSubscription>;
  },
  ingest: Ingest,
  log: Logger,
): Promise<IngestSubscription> {
  const { holdBulk, startRest, ...common } = options;
  const others = uplinkFilters().filter((filter) => filter !== ALARM_FILTER);
  const alarms = await startSubscriber({ ...common, clientId: `${options.clientId}-alarms`, filters: [ALARM_FILTER], retry: ALARM_RETRY }, ingest, log);
  let rest: IngestSubscription;
  try {
    const restOptions = { ...common, filters: others, unsubscribe: [ALARM_FILTER] };
    rest = startRest ? await startRest(restOptions) : await startSubscriber({ ...restOptions, holdReading: holdBulk }, ingest, log);
  } catch (error) {
    await alarms.close();
    throw error;
  }
  return {
    get connected() {
      return alarms.connected && rest.connected;
    },
    get acknowledged() {
      return alarms.acknowledged + rest.acknowledged;
    },
    async close() {
      await Promise.all([alarms.close(), rest.close()]);
    },
  };
}
