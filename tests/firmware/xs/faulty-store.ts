import type { KeyValueStore } from "../../../firmware/ports/storage";
import { MemoryStore } from "./memory-store";

/** The power failed during a flash write: nothing after it runs. */
export class PowerLost extends Error {}

/**
 * Flash that fails the ways NVS can: full (every write throws, as `nvs_set_str` returns
 * ESP_ERR_NVS_NOT_ENOUGH_SPACE), erased (everything gone), and a power cut part-way through a
 * write (the value is left cut short, and the write never returns).
 */
export class FaultyStore implements KeyValueStore {
  readonly inner = new MemoryStore();
  full = false;
  /** The write (counting from 1) during which the power fails; 0: never. */
  powerCutAtWrite = 0;
  /** How much of the cut write reaches flash, 0 … 1. */
  tornFraction = 0.5;
  writes = 0;
  /** The power is off: every later write fails too, and the scenario stops its node. */
  dead = false;

  get values(): Map<string, string> {
    return this.inner.values;
  }

  get(key: string): string | undefined {
    return this.inner.get(key);
  }

  set(key: string, value: string): void {
    this.writes++;
    if (this.dead) throw new PowerLost("no power");
    if (this.powerCutAtWrite > 0 && this.writes === this.powerCutAtWrite) {
      this.inner.set(key, value.slice(0, Math.floor(value.length * this.tornFraction)));
      this.dead = true;
      throw new PowerLost(`power lost writing ${key}`);
    }
    if (this.full) throw new Error("ESP_ERR_NVS_NOT_ENOUGH_SPACE");
    this.inner.set(key, value);
  }

  delete(key: string): void {
    this.writes++;
    if (this.dead) throw new PowerLost("no power");
    if (this.powerCutAtWrite > 0 && this.writes === this.powerCutAtWrite) {
      this.dead = true;
      throw new PowerLost(`power lost deleting ${key}`);
    }
    this.inner.delete(key);
  }

  /** Power back on. */
  restore(): void {
    this.dead = false;
    this.powerCutAtWrite = 0;
  }

  erase(): void {
    this.inner.values.clear();
  }
}
