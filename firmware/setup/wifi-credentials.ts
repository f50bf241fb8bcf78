import type { KeyValueStore } from "../ports/storage";
import type { WifiSettings } from "./improv-protocol";

/** One key, so the network's name and its password are written together or not at all. */
const KEY = "wifi";

/** The Wi-Fi settings kept in flash, or null on a node never set up (or after a factory reset). */
export function loadWifiSettings(storage: KeyValueStore): WifiSettings | null {
  const text = storage.get(KEY);
  if (text === undefined) return null;
  try {
    const parsed = JSON.parse(text) as Partial<WifiSettings>;
    return typeof parsed.ssid === "string" && parsed.ssid.length > 0 && typeof parsed.password === "string" ? { ssid: parsed.ssid, password: parsed.password } : null;
  } catch {
    return null;
  }
}

export function saveWifiSettings(storage: KeyValueStore, settings: WifiSettings): void {
  storage.set(KEY, JSON.stringify({ ssid: settings.ssid, password: settings.password }));
}

export function forgetWifiSettings(storage: KeyValueStore): void {
  storage.delete(KEY);
}
