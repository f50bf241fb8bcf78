import { decodeCommand, decodeNodeMessage, encodeMessage } from "../../../shared/codec";
import type { NodeMessage } from "../../../shared/messages";
import { serveScenario } from "./scenario";

/** The shared codec, run in XS, so the node and the cloud are known to agree. */
serveScenario(
  (request: { decode?: Array<{ topic: string; text: string }>; encode?: NodeMessage[]; commands?: Array<{ topic: string; text: string; self: string }> }) => ({
    decoded: (request.decode ?? []).map(({ topic, text }) => decodeNodeMessage(topic, text)),
    encoded: (request.encode ?? []).map(encodeMessage),
    commands: (request.commands ?? []).map(({ topic, text, self }) => decodeCommand(topic, text, self)),
  }),
);
