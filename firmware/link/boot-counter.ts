import type { KeyValueStore } from "../ports/storage";

const KEY = "boot";

/** Bumps and returns the persistent boot counter, so (node, boot, seq) never repeats across restarts. */
export function nextBootId(storage: KeyValueStore): number {
  const previous = Number(storage.get(KEY) ?? "0");
  const boot = Number.isSafeInteger(previous) && previous >= 0 ? previous + 1 : 1;
  storage.set(KEY, String(boot));
  return boot;
}
