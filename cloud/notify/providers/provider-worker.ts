import { parentPort, workerData } from "node:worker_threads";
import type { NotifySettings } from "../settings";
import type { CallResult, OutboundMessage, ProviderChannel, SendOutcome } from "./channel";
import { phoneChannels } from "./from-settings";

/**
 * The provider thread (provider-thread.ts): the SMS and voice adapters the settings name, built
 * here from the same settings, each send signed, requested and answered on this thread.
 *
 * From the parent: `send` (one message to one phone, on one channel), `callResult` (a placed
 * call's outcome), `abort` (the parent stopped waiting for a request) and `close`. To it: `ready`
 * with the adapters' names once built, and one `answer` per request.
 */
export interface ProviderThreadData {
  settings: Pick<NotifySettings, "sms" | "voice">;
}

export type PhoneChannel = "sms" | "voice";

export type ToProviderThread =
  | { type: "send"; id: number; channel: PhoneChannel; to: string; message: OutboundMessage }
  | { type: "callResult"; id: number; reference: string; placedAtMs: number }
  | { type: "abort"; id: number }
  | { type: "close" };

export type FromProviderThread =
  | { type: "ready"; names: Record<PhoneChannel, string | null>; callResults: boolean }
  | { type: "answer"; id: number; outcome: SendOutcome }
  | { type: "answer"; id: number; callResult: CallResult };

const port = parentPort!;
const channels: Record<PhoneChannel, ProviderChannel<string> | null> = phoneChannels((workerData as ProviderThreadData).settings);
/** The requests under way, so the parent can abort one. */
const inFlight = new Map<number, AbortController>();

const post = (message: FromProviderThread) => port.postMessage(message);

port.on("message", (message: ToProviderThread) => {
  switch (message.type) {
    case "send": {
      // The parent makes a channel only for an adapter this thread has (its `ready` names them).
      const channel = channels[message.channel]!;
      const controller = new AbortController();
      inFlight.set(message.id, controller);
      // An adapter never throws for a provider's answer; this catch is for a fault of its own.
      const sending = channel.send(message.to, message.message, controller.signal).catch((error: Error): SendOutcome => ({ status: "retry", reason: `adapter fault: ${error.message}` }));
      void sending.then((outcome) => {
        inFlight.delete(message.id);
        post({ type: "answer", id: message.id, outcome });
      });
      return;
    }
    case "callResult": {
      const controller = new AbortController();
      inFlight.set(message.id, controller);
      // Asked only when `ready` said the voice adapter has call results.
      void channels
        .voice!.callResult!(message.reference, message.placedAtMs, controller.signal)
        .catch((): CallResult => "unknown")
        .then((callResult) => {
          inFlight.delete(message.id);
          post({ type: "answer", id: message.id, callResult });
        });
      return;
    }
    case "abort":
      inFlight.get(message.id)?.abort();
      return;
    case "close":
      for (const controller of inFlight.values()) controller.abort();
      port.close();
      return;
  }
});

post({ type: "ready", names: { sms: channels.sms?.name ?? null, voice: channels.voice?.name ?? null }, callResults: channels.voice?.callResult !== undefined });
