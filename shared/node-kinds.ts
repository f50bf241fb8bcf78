/**
 * The kinds of node the platform runs. A batch of boards is flashed for one kind, a node names
 * its kind when it claims, and each kind has its own wiring (hardware/kinds/).
 */
export const NODE_KINDS = ["sensor", "elevator", "capsule"] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export function isNodeKind(value: unknown): value is NodeKind {
  return typeof value === "string" && (NODE_KINDS as readonly string[]).includes(value);
}
