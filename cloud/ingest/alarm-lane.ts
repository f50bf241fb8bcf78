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
export async function startMqttIngest(options: SubscriberOptions & { holdBulk?: SubscriberOptions["holdReading"] }, ingest: Ingest, log: Logger): Promise<IngestSubscription> {
  const { holdBulk, ...common } = options;
  const others = uplinkFilters().filter((filter) => filter !== ALARM_FILTER);
  const alarms = await startSubscriber({ ...common, clientId: `${options.clientId}-alarms`, filters: [ALARM_FILTER] }, ingest, log);
  let rest: IngestSubscription;
  try {
    rest = await startSubscriber({ ...common, filters: others, unsubscribe: [ALARM_FILTER], holdReading: holdBulk }, ingest, log);
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
