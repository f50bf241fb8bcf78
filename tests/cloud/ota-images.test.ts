import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signRelease } from "../../cloud/ota/release-key";
import type { SignedRelease } from "../../shared/ota";
import { buildSimImage } from "../../shared/sim-image";
import { otaTestCloud, releaseKey, signedSimImage, type ReleaseKey } from "../support/ota";

/** A minimal ESP32 app image header (esp_image_header_t) with the given chip id, then filler. */
function esp32AppImage(chipId: number, sizeBytes = 4096): Uint8Array {
  const image = new Uint8Array(sizeBytes).fill(0x5a);
  image[0] = 0xe9;
  image[1] = 1;
  image[12] = chipId & 0xff;
  image[13] = chipId >> 8;
  return image;
}

function signFor(key: ReleaseKey, image: Uint8Array, statement: Partial<SignedRelease> & { version: string }): SignedRelease {
  return signRelease(
    { board: "esp32-devkitc", kind: "sensor", sizeBytes: image.length, sha256: createHash("sha256").update(image).digest("hex"), ...statement },
    key.privateKey,
  );
}

describe("OTA image upload", () => {
  let key: ReleaseKey;
  let cloud: Awaited<ReturnType<typeof otaTestCloud>>;
  beforeEach(async () => {
    key = releaseKey();
    cloud = await otaTestCloud([key.publicKeyHex]);
  });
  afterEach(() => cloud.close());

  it("stores a signed image content-addressed, once", async () => {
    const { image, release } = signedSimImage(key, { version: "0.2.0" });
    const first = await cloud.upload(image, release);
    expect(first.status).toBe(201);
    expect(first.body.image).toMatchObject({ sha256: release.sha256, version: "0.2.0", board: "esp32-devkitc", kind: "sensor", format: "sim", uploadedBy: "test" });
    const file = cloud.store.path(release.sha256);
    expect(file.endsWith(`${release.sha256}.bin`)).toBe(true);
    expect(createHash("sha256").update(readFileSync(file)).digest("hex")).toBe(release.sha256);
    expect((await cloud.upload(image, release)).status).toBe(200);
    const listed = (await (await cloud.request("/api/ota/images")).json()) as { images: unknown[] };
    expect(listed.images).toHaveLength(1);
  });

  it("accepts an ESP32 app image built for the board's chip", async () => {
    const image = esp32AppImage(0x0000);
    const { status, body } = await cloud.upload(image, signFor(key, image, { version: "1.0.0" }));
    expect(status).toBe(201);
    expect(body.image).toMatchObject({ format: "esp32-app" });
  });

  it.each([
    ["a hash that is not the image's", (k: ReleaseKey) => {
      const { image } = signedSimImage(k, { version: "0.2.0" });
      const other = buildSimImage({ version: "0.2.0", board: "esp32-devkitc", kind: "sensor" }, image.length + 64).subarray(0, image.length);
      return { image, release: signFor(k, image, { version: "0.2.0", sha256: createHash("sha256").update(other).digest("hex") }) };
    }, 422, "hash-mismatch"],
    ["a size that is not the image's", (k: ReleaseKey) => {
      const { image } = signedSimImage(k, { version: "0.2.0" });
      return { image, release: signFor(k, image, { version: "0.2.0", sizeBytes: image.length + 1 }) };
    }, 422, "size-mismatch"],
    ["a signature by another key claiming the trusted key's id", (k: ReleaseKey) => {
      const { image, release } = signedSimImage(releaseKey(), { version: "0.2.0" });
      return { image, release: { ...release, keyId: signedSimImage(k, { version: "0.2.0" }).release.keyId } };
    }, 422, "bad-signature"],
    ["one flipped bit in the signature", (k: ReleaseKey) => {
      const { image, release } = signedSimImage(k, { version: "0.2.0" });
      return { image, release: { ...release, signature: (release.signature[0] === "0" ? "1" : "0") + release.signature.slice(1) } };
    }, 422, "bad-signature"],
    ["a key the cloud does not trust", () => signedSimImage(releaseKey(), { version: "0.2.0" }), 422, "unknown-key"],
    ["a simulated image whose header names another board", (k: ReleaseKey) => {
      const image = buildSimImage({ version: "0.2.0", board: "esp32-s3-devkitc-1", kind: "sensor" }, 8192);
      return { image, release: signFor(k, image, { version: "0.2.0" }) };
    }, 422, "image-mismatch"],
    ["a simulated image whose header names another kind", (k: ReleaseKey) => {
      const image = buildSimImage({ version: "0.2.0", board: "esp32-devkitc", kind: "capsule" }, 8192);
      return { image, release: signFor(k, image, { version: "0.2.0" }) };
    }, 422, "image-mismatch"],
    ["a simulated image whose header names another version", (k: ReleaseKey) => {
      const image = buildSimImage({ version: "0.2.1", board: "esp32-devkitc", kind: "sensor" }, 8192);
      return { image, release: signFor(k, image, { version: "0.2.0" }) };
    }, 422, "image-mismatch"],
    ["an ESP32-S3 app image released for an ESP32 board", (k: ReleaseKey) => {
      const image = esp32AppImage(0x0009);
      return { image, release: signFor(k, image, { version: "0.2.0" }) };
    }, 422, "image-mismatch"],
    ["bytes that are no firmware image at all", (k: ReleaseKey) => {
      const image = new Uint8Array(4096).fill(7);
      return { image, release: signFor(k, image, { version: "0.2.0" }) };
    }, 422, "image-mismatch"],
    ["a version that is not MAJOR.MINOR.PATCH", (k: ReleaseKey) => {
      const image = buildSimImage({ version: "0.2", board: "esp32-devkitc", kind: "sensor" }, 8192);
      return { image, release: signFor(k, image, { version: "0.2" }) };
    }, 422, "bad-release"],
    ["a kind no node has", (k: ReleaseKey) => {
      const image = buildSimImage({ version: "0.2.0", board: "esp32-devkitc", kind: "toaster" }, 8192);
      return { image, release: signFor(k, image, { version: "0.2.0", kind: "toaster" as never }) };
    }, 422, "bad-release"],
    ["a board the fleet does not have", (k: ReleaseKey) => {
      const image = buildSimImage({ version: "0.2.0", board: "esp32-c3-mini", kind: "sensor" }, 8192);
      return { image, release: signFor(k, image, { version: "0.2.0", board: "esp32-c3-mini" }) };
    }, 422, "unknown-board"],
  ])("refuses %s", async (_name, make, status, error) => {
    const { image, release } = make(key);
    const answer = await cloud.upload(image, release);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(error);
    expect(typeof answer.body.message).toBe("string");
    expect(existsSync(cloud.store.path(createHash("sha256").update(image).digest("hex")))).toBe(false);
    expect(((await (await cloud.request("/api/ota/images")).json()) as { images: unknown[] }).images).toHaveLength(0);
  });

  it("refuses a second, different image under a version already released", async () => {
    const first = signedSimImage(key, { version: "0.2.0" });
    expect((await cloud.upload(first.image, first.release)).status).toBe(201);
    const second = signedSimImage(key, { version: "0.2.0" }, 64 * 1024);
    const answer = await cloud.upload(second.image, second.release);
    expect(answer).toMatchObject({ status: 409, body: { error: "version-taken" } });
  });

  it("answers a malformed upload with a reason, and an anonymous one with 401", async () => {
    const { image, release } = signedSimImage(key, { version: "0.2.0" });
    const noImage = new FormData();
    noImage.set("release", JSON.stringify(release));
    expect((await cloud.request("/api/ota/images", { method: "POST", body: noImage })).status).toBe(400);
    const badJson = new FormData();
    badJson.set("image", new Blob([new Uint8Array(image)]));
    badJson.set("release", "{not json");
    expect((await cloud.request("/api/ota/images", { method: "POST", body: badJson })).status).toBe(400);
    const anonymous = await cloud.app.request("/api/ota/images", { method: "POST", body: noImage });
    expect(anonymous.status).toBe(401);
  });

  it("refuses every upload while no release key is configured", async () => {
    const unconfigured = await otaTestCloud([]);
    try {
      const { image, release } = signedSimImage(key, { version: "0.2.0" });
      expect(await unconfigured.upload(image, release)).toMatchObject({ status: 503, body: { error: "no-release-keys" } });
    } finally {
      await unconfigured.close();
    }
  });
});
