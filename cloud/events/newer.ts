import { BOOT_ERA_SPAN } from "../../shared/boot-era";

/** SQL for a boot id's era (shared/boot-era.ts): integer division, as both sides are integers. */
export function eraSql(column: string): string {
  return `(${column} / ${BOOT_ERA_SPAN})`;
}

/**
 * For an upsert of a current-state row: the incoming row is newer when it comes from a later
 * boot, or later in the same boot. An older event delivered late never overwrites a newer state.
 * A boot of another era is a node that lost its boot counter (flash erased) and started again:
 * its events replace the old era's, whatever their numbers.
 */
export function newerThanStoredSql(table: string): string {
  return `${eraSql("excluded.boot_id")} <> ${eraSql(`${table}.boot_id`)} or excluded.boot_id > ${table}.boot_id or (excluded.boot_id = ${table}.boot_id and excluded.seq > ${table}.seq)`;
}

/**
 * `order by` for "the node's newest event": in the era of the event received last (a reset
 * node's new era wins over its old one), then by (boot, seq). `x` is the candidate row.
 */
export function newestEventOrderSql(): string {
  const currentEra = `(select ${eraSql("z.boot_id")} from node_events z where z.node_id = x.node_id order by z.id desc limit 1)`;
  return `${eraSql("x.boot_id")} = ${currentEra} desc, x.boot_id desc, x.seq desc`;
}

/**
 * `with batch(node_id) as (values (?), (?) …)`: the nodes a batch touched, to derive their
 * current state from their stored events in the same transaction.
 */
export function batchNodesSql(count: number): string {
  return `with batch(node_id) as (values ${Array.from({ length: count }, () => "(?)").join(",")})`;
}
