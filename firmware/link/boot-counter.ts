import { BOOT_ERA_SPAN, bootEra } from "../../shared/boot-era";
import type { KeyValueStore } from "../ports/storage";
import { checksum } from "./outbox";

export { bootEra };

const KEY = "boot";

/**
 * Boots one era holds. A boot id is `era × ERA_SPAN + n`: the counter `n` grows by one each start
 * within an era; an era is drawn at random whenever the node cannot trust its counter.
 * See shared/boot-era.ts for the sizes: every id stays below 2^31.
 */
export const ERA_SPAN = BOOT_ERA_SPAN;
const ERA_COUNT = 2 ** 19;

export interface BootStart {
  bootId: number;
  /**
   * How the id came about: `counted` from the stored counter; `new-era` because no counter was
   * stored (first start, NVS erased) or it was torn; `unsaved` because flash refused the new
   * value, so this boot took a random era of its own rather than risk repeating an id.
   */
  how: "counted" | "new-era" | "unsaved";
}

/**
 * Bumps and returns the persistent boot counter, so (node, boot, seq) never repeats across
 * restarts — also when flash was erased. An erased counter restarting at 1 would make the cloud
 * take every new message for a copy of one it stored long ago (it deduplicates by
 * (node, boot, seq)); so a node without a trustworthy counter starts a new era drawn from
 * `random` (the hardware RNG on an ESP32), and the cloud, seeing the era change, knows the node
 * was reset rather than replaying (cloud/nodes/boot-era.ts). The stored value carries a check
 * so a write torn by a power cut reads as "no counter", never as a smaller number.
 */
export function startBoot(storage: KeyValueStore, random: () => number): BootStart {
  const previous = readCounter(storage);
  let bootId: number;
  let how: BootStart["how"] = "counted";
  if (previous === null) {
    bootId = newEra(random);
    how = "new-era";
  } else {
    const next = previous + 1;
    // The era's counter is spent: the next era keeps the order, since it is larger.
    bootId = next % ERA_SPAN === 0 ? next + 1 : next;
    if (bootEra(bootId) >= ERA_COUNT) bootId = ERA_SPAN + 1;
  }
  try {
    storage.set(KEY, `e${bootId} ${checksum(KEY, String(bootId))}`);
  } catch {
    return { bootId: newEra(random), how: "unsaved" };
  }
  return { bootId, how };
}

function readCounter(storage: KeyValueStore): number | null {
  let value: string | undefined;
  try {
    value = storage.get(KEY);
  } catch {
    return null;
  }
  if (value === undefined) return null;
  // `e<boot> <check>`; a bare number was written before eras and checks, and counts on as it is.
  // A torn write leaves a prefix: it still starts with "e" and fails the check.
  const legacy = value[0] !== "e";
  const [number, check] = (legacy ? value : value.slice(1)).split(" ");
  const boot = Number(number);
  if (!(/^[0-9]+$/.test(number) && Number.isSafeInteger(boot))) return null;
  if (!legacy && check !== checksum(KEY, number)) return null;
  return boot;
}

function newEra(random: () => number): number {
  return (1 + Math.floor(random() * (ERA_COUNT - 1))) * ERA_SPAN + 1;
}
