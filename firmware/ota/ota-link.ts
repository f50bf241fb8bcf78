import type { MqttSession } from "../ports/mqtt";
import type { OtaAgent } from "./ota-agent";

/**
 * Plugs the OTA agent into the node's MQTT session beside the link session that already owns
 * its callbacks: subscribes to the node's OTA topics on every connection and hands the agent
 * its messages and acknowledgements, passing everything else on unchanged.
 *
 * SEAM(issue 5): the command router of "Never lose an alarm" will own inbound topics and PUBACK
 * routing; then the agent registers its topics there and this wrapper goes away.
 */
export function attachOtaLink(mqtt: MqttSession, agent: OtaAgent): void {
  const linkConnected = mqtt.onConnected;
  const linkDisconnected = mqtt.onDisconnected;
  const linkPublished = mqtt.onPublished;
  const linkMessage = mqtt.onMessage;
  mqtt.onConnected = () => {
    linkConnected();
    for (const topic of agent.topics) mqtt.subscribe(topic);
    agent.onConnected();
  };
  mqtt.onDisconnected = (reason) => {
    agent.onDisconnected();
    linkDisconnected(reason);
  };
  mqtt.onPublished = (packetId) => {
    if (!agent.onPublished(packetId)) linkPublished(packetId);
  };
  mqtt.onMessage = (topic, payload) => {
    if (!agent.onMessage(topic, payload)) linkMessage(topic, payload);
  };
}
