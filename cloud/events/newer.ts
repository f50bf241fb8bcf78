/**
 * For an upsert of a current-state row: the incoming row is newer when it comes from a later
 * boot, or later in the same boot. An older event delivered late never overwrites a newer state.
 */
export function newerThanStoredSql(table: string): string {
  return `excluded.boot_id > ${table}.boot_id or (excluded.boot_id = ${table}.boot_id and excluded.seq > ${table}.seq)`;
}

/**
 * `with batch(node_id) as (values (?), (?) …)`: the nodes a batch touched, to derive their
 * current state from their stored events in the same transaction.
 */
export function batchNodesSql(count: number): string {
  return `with batch(node_id) as (values ${Array.from({ length: count }, () => "(?)").join(",")})`;
}
