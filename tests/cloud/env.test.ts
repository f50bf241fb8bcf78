import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../cloud/env";
import { createLogger } from "../../cloud/log";

describe("settings", () => {
  it("runs embedded with a simulated site when nothing is configured", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ port: 8080, mqttUrl: undefined, databaseUrl: undefined, embeddedMqttPort: 18830, simNodes: 3 });
  });

  it("simulates nothing when a broker or database is configured", () => {
    expect(parseEnv({ MQTT_URL: "mqtt://broker:1883" }).simNodes).toBe(0);
    expect(parseEnv({ DATABASE_URL: "libsql://db.example" }).simNodes).toBe(0);
  });

  it("stops start-up with every problem named", () => {
    expect(() => parseEnv({ PORT: "eighty", MQTT_URL: "http://x", DATABASE_URL: "postgres://x" })).toThrow(EnvError);
    try {
      parseEnv({ PORT: "eighty", MQTT_URL: "http://x", DATABASE_URL: "postgres://x" });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("PORT");
      expect(message).toContain("MQTT_URL");
      expect(message).toContain("DATABASE_URL");
    }
  });
});

describe("provisioner settings", () => {
  it("takes the provisioner's account only whole, and only with a real broker", () => {
    const env = parseEnv({ MQTT_URL: "mqtt://broker:1883", MQTT_PROVISIONER_USERNAME: "sw-provisioner", MQTT_PROVISIONER_PASSWORD: "p" });
    expect(env).toMatchObject({ mqttProvisionerUsername: "sw-provisioner", mqttProvisionerPassword: "p" });
    expect(() => parseEnv({ MQTT_URL: "mqtt://broker:1883", MQTT_PROVISIONER_USERNAME: "sw-provisioner" })).toThrow(/go together/);
    expect(() => parseEnv({ MQTT_PROVISIONER_USERNAME: "sw-provisioner", MQTT_PROVISIONER_PASSWORD: "p" })).toThrow(/needs MQTT_URL/);
  });
});

describe("logger", () => {
  it("never writes a secret-looking field", () => {
    const lines: string[] = [];
    const log = createLogger((line) => lines.push(line));
    log("info", "connecting", { password: "hunter2", token: "sw_abc", authorization: "Bearer x", broker: "mqtt://h" });
    expect(lines[0]).not.toMatch(/hunter2|sw_abc|Bearer x/);
    expect(lines[0]).toContain('broker="mqtt://h"');
  });
});
