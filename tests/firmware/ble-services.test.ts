import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The GATT services the ESP32 build turns into C with the SDK's `bles2gatt` (mcconfig runs it
 * before any compiler): a property or permission it does not know stops every build there
 * ("### Error: unknown property"). The names it accepts, read from Moddable SDK 8.2.3's
 * tools/bles2gatt.js (parseProperties, parsePermissions), the same for every BLE stack it
 * generates for. A check of the SDK's build found `writeWithoutResponse` here, which is
 * Web Bluetooth's word, not the SDK's.
 */
const PROPERTIES = ["read", "write", "writeNoResponse", "notify", "indicate", "extended"];
const PERMISSIONS = ["read", "readEncrypted", "write", "writeEncrypted"];
const DIR = new URL("../../firmware/platform/esp32/bleservices/", import.meta.url);

describe("BLE services for bles2gatt", () => {
  const files = readdirSync(DIR).filter((name) => name.endsWith(".json"));

  it("has services to check", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const name of files) {
    it(`${name}: every characteristic's properties and permissions are names bles2gatt knows`, () => {
      const { service } = JSON.parse(readFileSync(new URL(name, DIR), "utf8")) as {
        service: { characteristics: Record<string, { properties?: string; permissions?: string }> };
      };
      for (const [characteristic, { properties = "", permissions = "" }] of Object.entries(service.characteristics)) {
        for (const property of properties.split(",").map((p) => p.trim()).filter(Boolean)) {
          expect(PROPERTIES, `${characteristic}: property "${property}"`).toContain(property);
        }
        for (const permission of permissions.split(",").map((p) => p.trim()).filter(Boolean)) {
          expect(PERMISSIONS, `${characteristic}: permission "${permission}"`).toContain(permission);
        }
      }
    });
  }
});
