import type { NodeKind } from "../../shared/node-kinds";
import { capsuleNode } from "./capsule-node";
import { elevatorNode } from "./elevator-node";
import type { NodeKindDefinition } from "./kind";
import { sensorNode } from "./sensor-node";

export type { BomLine, NodeKindDefinition, SignalDefinition, SignalUse } from "./kind";
export { capsuleNode } from "./capsule-node";
export { elevatorNode } from "./elevator-node";
export { sensorNode } from "./sensor-node";

export const NODE_KIND_DEFINITIONS: Readonly<Record<NodeKind, NodeKindDefinition>> = {
  sensor: sensorNode,
  elevator: elevatorNode,
  capsule: capsuleNode,
};
