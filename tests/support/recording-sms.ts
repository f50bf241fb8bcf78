import type { OutboundMessage, ProviderChannel, SendOutcome } from "../../cloud/notify/providers/channel";

/** An SMS or voice provider that keeps what it was asked to send; `failNext` makes the next sends answer "try later". */
export class RecordingPhone implements ProviderChannel<string> {
  readonly sent: Array<{ to: string; text: string; message: OutboundMessage }> = [];
  failNext = 0;
  refuse = new Set<string>();

  constructor(readonly name = "recording-sms") {}

  async send(to: string, message: OutboundMessage): Promise<SendOutcome> {
    if (this.failNext > 0) {
      this.failNext--;
      return { status: "retry", reason: "provider unavailable" };
    }
    if (this.refuse.has(to)) return { status: "permanent", reason: "bad number" };
    this.sent.push({ to, text: message.text, message });
    return { status: "accepted", reference: `rec-${this.sent.length}` };
  }
}
