/**
 * A node's boot id is `era × BOOT_ERA_SPAN + n`. Within an era `n` counts the node's starts, so
 * ids order them; a node that lost its counter (flash erased, or the counter torn by a power cut)
 * draws a new era at random, so its ids never repeat an earlier boot's but cannot be ordered
 * against the old era's by value. The cloud therefore takes a change of era as "this node was
 * reset", not as "an old message" (cloud/nodes/queries.ts, cloud/events/newer.ts).
 * 4,096 boots an era (a spent era counts on into the next, still in order) × 2^19 eras keeps every
 * id below 2^31, the largest boot the ingest accepts (cloud/ingest/sender-rules.ts).
 */
export const BOOT_ERA_SPAN = 2 ** 12;

export function bootEra(bootId: number): number {
  return Math.floor(bootId / BOOT_ERA_SPAN);
}
