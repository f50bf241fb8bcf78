import type { DigitalConstructor, DigitalPort, PinSpecifier } from "../ports/io";

/**
 * How an output stage holds its load (board definition, `outputDrive`):
 * - `pulse`: through a retriggerable monostable (74HC123) whose output stays on for `holdMs` after
 *   each rising edge. The firmware must keep toggling the pin; a hung CPU, a stuck pin or a reset
 *   stops the edges and the load drops within `holdMs`. This is the drive for anything that holds
 *   an elevator.
 * - `level`: the pin drives the load directly at `activeLevel` (a bench relay module). It is not
 *   fail-safe against a hung CPU and is meant for development only.
 */
export type OutputDrive = { drive: "pulse"; holdMs: number } | { drive: "level"; activeLevel: 0 | 1 };

/**
 * A load that is on only while the firmware keeps asking: the lock relay, the warning light.
 * Written inactive the moment it is constructed, so a fresh boot starts released. `refresh` is
 * called from the node's tick; in pulse drive it produces the pulse train, so the load stays on
 * exactly as long as the tick keeps running.
 */
export class HeldOutput {
  readonly drive: OutputDrive;
  #port: DigitalPort;
  #on = false;
  #phase: 0 | 1 = 0;
  #inactive: 0 | 1;

  constructor(options: { io: DigitalConstructor; pin: PinSpecifier; drive: OutputDrive }) {
    this.drive = options.drive;
    this.#inactive = options.drive.drive === "level" ? (options.drive.activeLevel ? 0 : 1) : 0;
    this.#port = new options.io({ pin: options.pin, mode: options.io.Output });
    this.#port.write(this.#inactive);
  }

  get on(): boolean {
    return this.#on;
  }

  set(on: boolean): void {
    if (on === this.#on) return;
    this.#on = on;
    if (!on) {
      this.#phase = this.#inactive;
      this.#port.write(this.#inactive);
    } else if (this.drive.drive === "level") {
      this.#port.write(this.drive.activeLevel);
    } else {
      this.refresh();
    }
  }

  /** One step of the pulse train while on (a rising edge every second call); nothing in level drive. */
  refresh(): void {
    if (!this.#on || this.drive.drive === "level") return;
    this.#phase = this.#phase ? 0 : 1;
    this.#port.write(this.#phase);
  }

  close(): void {
    this.set(false);
    this.#port.close();
  }
}

/** Null when a pulse drive can be kept alive by a tick of `tickMs`, else why not. */
export function pulseDriveProblem(drive: OutputDrive, tickMs: number): string | null {
  if (drive.drive === "level") return null;
  // A rising edge comes every 2 ticks; allow a tick to be late by one more without a drop.
  const edgeEveryMs = 2 * tickMs;
  if (!(drive.holdMs >= 2 * edgeEveryMs)) {
    return `a pulse-held output with holdMs ${drive.holdMs} needs a tick of at most ${Math.floor(drive.holdMs / 4)} ms (tick is ${tickMs} ms)`;
  }
  return null;
}
