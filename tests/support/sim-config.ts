import { capsuleDefaults, type CapsuleNodeConfig } from "../../firmware/capsule/config";
import type { NodeConfig } from "../../firmware/config";
import { elevatorDefaults, type ElevatorNodeConfig } from "../../firmware/elevator/config";

export function smokeNodeConfig(nodeId: string, overrides: Partial<NodeConfig> = {}): NodeConfig {
  return {
    nodeId,
    firmwareVersion: "0.1.0-test",
    mqtt: { host: "127.0.0.1", port: 1883, keepAliveMs: 30_000 },
    sampleIntervalMs: 1000,
    telemetryIntervalMs: 10_000,
    smoke: { baseline: 300, raiseAboveBaseline: 400, clearBelowBaseline: 150, holdSamples: 3 },
    ...overrides,
  };
}

export function elevatorNodeConfig(nodeId: string, overrides: Partial<ElevatorNodeConfig> = {}): ElevatorNodeConfig {
  return {
    nodeId,
    firmwareVersion: "0.1.0-test",
    mqtt: { host: "127.0.0.1", port: 1883, keepAliveMs: 30_000 },
    ...elevatorDefaults,
    ...overrides,
  };
}

export function capsuleNodeConfig(nodeId: string, overrides: Partial<CapsuleNodeConfig> = {}): CapsuleNodeConfig {
  return {
    nodeId,
    firmwareVersion: "0.1.0-test",
    mqtt: { host: "127.0.0.1", port: 1883, keepAliveMs: 30_000 },
    ...capsuleDefaults,
    ...overrides,
  };
}
