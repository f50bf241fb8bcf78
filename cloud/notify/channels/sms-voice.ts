/**
 * The seam for an SMS or voice provider. The cloud ships no provider (each city contracts its own);
 * one is plugged in by implementing this and passing it to `startCloud`. Without one, sms and voice
 * steps of a rule are skipped, and start-up says so.
 */
export interface SmsVoiceAdapter {
  readonly name: string;
  /** Resolves when the provider has accepted the message; throws if it refused or could not be reached. */
  send(message: { channel: "sms" | "voice"; to: string; text: string }): Promise<{ reference?: string }>;
}
