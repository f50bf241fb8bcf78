import Preference from "preference";
import type { KeyValueStore } from "../../ports/storage";

const DOMAIN = "sw";

/** The node's small persistent values in NVS through Moddable's `preference` module. */
export class PreferenceStore implements KeyValueStore {
  get(key: string): string | undefined {
    const value = Preference.get(DOMAIN, key);
    return typeof value === "string" ? value : undefined;
  }

  set(key: string, value: string): void {
    Preference.set(DOMAIN, key, value);
  }

  delete(key: string): void {
    Preference.delete(DOMAIN, key);
  }
}
