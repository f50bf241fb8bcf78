import type { KeyValueStore } from "../../ports/storage";
import { MAX_KEY_LENGTH } from "../../ports/storage";
import { callHost } from "./host-call";

/** Flash kept by the host, so it outlives a killed XS worker as NVS outlives a reset. */
export class SimStorage implements KeyValueStore {
  get(key: string): string | undefined {
    return (callHost({ op: "storage.get", key: checked(key) }) as string | null) ?? undefined;
  }

  set(key: string, value: string): void {
    callHost({ op: "storage.set", key: checked(key), value });
  }

  delete(key: string): void {
    callHost({ op: "storage.delete", key: checked(key) });
  }
}

/** The same limit NVS imposes on the ESP32, so the simulator refuses what the device would. */
function checked(key: string): string {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new RangeError(`storage key "${key}" must be 1–${MAX_KEY_LENGTH} characters`);
  return key;
}
