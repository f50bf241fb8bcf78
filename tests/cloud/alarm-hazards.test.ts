import { describe, expect, it } from "vitest";
import { classifyAlarm } from "../../cloud/incidents/hazards";
import { ALARM_KINDS } from "../../shared/alarms";

describe("alarm kind → hazard", () => {
  it("classifies every kind a node can raise, none as unclassified", () => {
    for (const kind of ALARM_KINDS) expect(classifyAlarm(kind, "alarm"), kind).not.toBe("unclassified");
  });

  it("routes the elevator's and capsule's kinds to the hazards their people handle", () => {
    expect(classifyAlarm("aed-removed", "urgent")).toBe("aed-removed");
    expect(classifyAlarm("door-left-open", "warning")).toBe("capsule-door");
    expect(classifyAlarm("lock-max-hold", "warning")).toBe("ebike-blocked");
    for (const kind of ["detector-lost", "relay-fault", "cabinet-temperature"]) expect(classifyAlarm(kind, "warning"), kind).toBe("sensor-fault");
    expect(classifyAlarm("battery-low", "warning")).toBe("node-offline");
    expect(classifyAlarm("smoke", "warning")).toBe("smoke-prealarm");
    expect(classifyAlarm("no-such-kind", "alarm")).toBe("unclassified");
  });
});
