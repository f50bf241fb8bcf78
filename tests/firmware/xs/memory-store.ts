import type { KeyValueStore } from "../../../firmware/ports/storage";
import { MAX_KEY_LENGTH } from "../../../firmware/ports/storage";

/** Flash for scenarios inside XS, refusing what NVS refuses (keys over 15 characters, values over 4000 bytes), and counting writes. */
export class MemoryStore implements KeyValueStore {
  readonly values = new Map<string, string>();
  writes = 0;

  get(key: string): string | undefined {
    return this.values.get(checked(key));
  }

  set(key: string, value: string): void {
    if (value.length > 4000) throw new RangeError(`value for "${key}" is ${value.length} bytes; NVS takes at most 4000`);
    this.writes++;
    this.values.set(checked(key), value);
  }

  delete(key: string): void {
    this.writes++;
    this.values.delete(checked(key));
  }
}

function checked(key: string): string {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new RangeError(`key "${key}" is longer than NVS allows`);
  return key;
}
