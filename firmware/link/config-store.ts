import type { KeyValueStore } from "../ports/storage";

const KEY = "cfg";

/**
 * Config changes the cloud made, kept in flash so they outlive a restart. Stored as the changes
 * rather than the whole config, so a new build's defaults still apply to everything not changed.
 */
export function loadConfigChanges(storage: KeyValueStore): Record<string, number> | undefined {
  const text = storage.get(KEY);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const changes: Record<string, number> = {};
    for (const [key, entry] of Object.entries(value)) if (typeof entry === "number") changes[key] = entry;
    return changes;
  } catch {
    return undefined;
  }
}

export function saveConfigChanges(storage: KeyValueStore, changes: Record<string, number>): void {
  storage.set(KEY, JSON.stringify(changes));
}

export function clearConfigChanges(storage: KeyValueStore): void {
  storage.delete(KEY);
}
