import type { SmsVoiceAdapter } from "../../cloud/notify/channels/sms-voice";

/** An SMS/voice adapter that keeps what it was asked to send; `failNext` makes the next sends throw. */
export class RecordingSmsVoice implements SmsVoiceAdapter {
  readonly name = "recording";
  readonly sent: Array<{ channel: "sms" | "voice"; to: string; text: string }> = [];
  failNext = 0;

  async send(message: { channel: "sms" | "voice"; to: string; text: string }): Promise<{ reference?: string }> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("provider unavailable");
    }
    this.sent.push(message);
    return { reference: `rec-${this.sent.length}` };
  }
}
