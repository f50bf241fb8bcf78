import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../cloud/env";

describe("OTA_RELEASE_KEYS", () => {
  const key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

  it("reads one or more release public keys", () => {
    expect(parseEnv({}).otaReleaseKeys).toEqual([]);
    expect(parseEnv({ OTA_RELEASE_KEYS: key }).otaReleaseKeys).toEqual([key]);
    expect(parseEnv({ OTA_RELEASE_KEYS: ` ${key}, ${"1".repeat(64)} ` }).otaReleaseKeys).toEqual([key, "1".repeat(64)]);
  });

  it("stops start-up on something that is not a key, naming the setting", () => {
    expect(() => parseEnv({ OTA_RELEASE_KEYS: "not-a-key" })).toThrow(EnvError);
    expect(() => parseEnv({ OTA_RELEASE_KEYS: key.toUpperCase() })).toThrow(/OTA_RELEASE_KEYS must list Ed25519 public keys/);
  });
});
