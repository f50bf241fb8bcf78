/**
 * A bystander on the broker, for `npm run bench:storm`, in its own process: it subscribes to every
 * node's alarm topic and notes when each alarm *arrived here* (wall clock, ms), per node. Set
 * beside the cloud's figures it splits publish → notification into the broker's share (publish →
 * delivered to a subscriber that does nothing else) and the cloud's.
 * Parent → child: { cmd: "subscribe" } → { ok }; { cmd: "report" } → { arrivals: { [node]: at[] } };
 * { cmd: "close" }.
 */
import mqtt from "mqtt";
import { nodeTopic } from "../shared/topics";

const [brokerUrl] = process.argv.slice(2);
const wallNow = () => performance.timeOrigin + performance.now();
const arrivals: Record<string, number[]> = {};
let client: mqtt.MqttClient | undefined;

process.on("message", async (request: { cmd: "subscribe" | "report" | "close" }) => {
  switch (request.cmd) {
    case "subscribe":
      // Reconnects by itself after the broker's restart and subscribes again (a clean session).
      client = mqtt.connect(brokerUrl, { clientId: `storm-probe-${process.pid}`, protocolVersion: 4, clean: true, reconnectPeriod: 100 });
      client.on("connect", () => client!.subscribe(nodeTopic("+", "alarm"), { qos: 0 }));
      client.on("message", (topic) => {
        const node = topic.split("/")[3];
        (arrivals[node] ??= []).push(wallNow());
      });
      client.on("error", () => undefined);
      await new Promise((resolve) => client!.once("connect", resolve));
      process.send!({ ok: true });
      return;
    case "report":
      process.send!({ arrivals });
      return;
    case "close":
      client?.end(true);
      process.send!({ ok: true }, () => process.exit(0));
      return;
  }
});
process.send!({ ready: true });
