import { decodeCommand, decodeNodeMessage } from "../../../shared/codec";
import { serveScenario } from "./scenario";

/** Event, ack and command decoding, run in XS, so the node and the cloud agree on them. */
serveScenario((request: { messages: Array<{ topic: string; text: string }>; commands: string[]; topic: string; self: string }) => ({
  messages: request.messages.map(({ topic, text }) => decodeNodeMessage(topic, text)),
  commands: request.commands.map((text) => decodeCommand(request.topic, text, request.self)),
}));
