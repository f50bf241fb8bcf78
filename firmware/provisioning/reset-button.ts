import type { TimerHandle, Timers } from "../ports/clock";
import type { DigitalConstructor, DigitalPort, PinSpecifier } from "../ports/io";

export interface ResetButtonOptions {
  Digital: DigitalConstructor;
  pin: PinSpecifier;
  timers: Timers;
  onHeld: () => void;
  /** How long the button must stay pressed. */
  holdMs?: number;
  pollMs?: number;
}

const HOLD_MS = 5000;
const POLL_MS = 100;

/**
 * The factory-reset button: pressed (pulled low) for `holdMs` without a break, it calls `onHeld`
 * once, then waits for a release before it can fire again. On the DevKitC boards this is the BOOT
 * button on GPIO0, a strapping pin: only a press held during power-up changes how the chip boots,
 * so the button is read after start, never at reset.
 */
export class ResetButton {
  #port: DigitalPort;
  #timers: Timers;
  #timer: TimerHandle;
  #heldMs = 0;
  #fired = false;

  constructor(options: ResetButtonOptions) {
    const holdMs = options.holdMs ?? HOLD_MS;
    const pollMs = options.pollMs ?? POLL_MS;
    this.#timers = options.timers;
    this.#port = new options.Digital({ pin: options.pin, mode: options.Digital.InputPullUp });
    this.#timer = options.timers.repeat(() => {
      if (this.#port.read() !== 0) {
        this.#heldMs = 0;
        this.#fired = false;
        return;
      }
      this.#heldMs += pollMs;
      if (this.#heldMs >= holdMs && !this.#fired) {
        this.#fired = true;
        options.onHeld();
      }
    }, pollMs);
  }

  close(): void {
    this.#timers.clear(this.#timer);
    this.#port.close();
  }
}
