/**
 * Small persistent values, like Moddable's `preference` module on NVS
 * (ESP32: keys of at most 15 characters, values of at most 4000 bytes).
 */
export interface KeyValueStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

export const MAX_KEY_LENGTH = 15;
