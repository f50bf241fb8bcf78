import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicKeyFromHex, rawPublicKeyHex } from "../../cloud/ota/release-key";
import { XsScenario } from "../support/xs";

/** RFC 8032 §7.1, Ed25519 test vectors TEST 1, 2, 3 and TEST SHA(abc). */
const RFC8032 = [
  {
    name: "TEST 1 (empty message)",
    secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "TEST 2 (one octet)",
    secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "TEST 3 (two octets)",
    secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    message: "af82",
    signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
  {
    name: "TEST SHA(abc) (64 octets)",
    secret: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
    publicKey: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
    message: createHash("sha512").update("abc").digest("hex"),
    signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
  },
];

/** The group order L (RFC 8032 §5.1), little-endian, to build a non-canonical S = S + L. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function flipBit(hex: string, bit: number): string {
  const bytes = Buffer.from(hex, "hex");
  bytes[bit >> 3] ^= 1 << (bit & 7);
  return bytes.toString("hex");
}

describe("OTA crypto in XS", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/ota-crypto.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  const verifyInXs = async (publicKey: string, message: string, signature: string) =>
    (await xs.call<boolean>({ op: "verify", publicKey, message, signature })).value;

  it("hashes SHA-256 as Node does, whatever the chunking", async () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
      const data = randomBytes(length);
      const expected = createHash("sha256").update(data).digest("hex");
      for (const chunkBytes of [1, 7, 64, 100, 4096]) {
        expect((await xs.call({ op: "sha256", hex: data.toString("hex"), chunkBytes })).value, `${length} bytes in ${chunkBytes}`).toBe(expected);
      }
    }
    const image = randomBytes(64 * 1024);
    expect((await xs.call({ op: "sha256", hex: image.toString("hex"), chunkBytes: 2048 })).value).toBe(createHash("sha256").update(image).digest("hex"));
  });

  it("hashes SHA-512 as Node does", async () => {
    for (const length of [0, 3, 111, 112, 127, 128, 129, 300]) {
      const data = randomBytes(length);
      expect((await xs.call({ op: "sha512", hex: data.toString("hex") })).value).toBe(createHash("sha512").update(data).digest("hex"));
    }
  });

  it.each(RFC8032)("verifies RFC 8032 $name", async (vector) => {
    // The vector as printed is what Node's Ed25519 produces from the secret key: it was copied right.
    const secret = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: Buffer.from(vector.secret, "hex").toString("base64url"), x: Buffer.from(vector.publicKey, "hex").toString("base64url") }, format: "jwk" });
    expect(rawPublicKeyHex(secret)).toBe(vector.publicKey);
    expect(sign(null, Buffer.from(vector.message, "hex"), secret).toString("hex")).toBe(vector.signature);

    expect(await verifyInXs(vector.publicKey, vector.message, vector.signature)).toBe(true);
    // Any one flipped bit in the message, in R, in S or in the key makes it fail.
    if (vector.message) expect(await verifyInXs(vector.publicKey, flipBit(vector.message, 0), vector.signature)).toBe(false);
    expect(await verifyInXs(vector.publicKey, vector.message + "00", vector.signature)).toBe(false);
    expect(await verifyInXs(vector.publicKey, vector.message, flipBit(vector.signature, 3))).toBe(false);
    expect(await verifyInXs(vector.publicKey, vector.message, flipBit(vector.signature, 300))).toBe(false);
    expect(await verifyInXs(flipBit(vector.publicKey, 9), vector.message, vector.signature)).toBe(false);
  });

  it("refuses a malleable S ≥ L and non-canonical or malformed encodings", async () => {
    const vector = RFC8032[0];
    const r = vector.signature.slice(0, 64);
    let s = 0n;
    const sBytes = Buffer.from(vector.signature.slice(64), "hex");
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sBytes[i]);
    const sPlusL = Buffer.alloc(32);
    let value = s + L;
    for (let i = 0; i < 32; i++, value >>= 8n) sPlusL[i] = Number(value & 0xffn);
    // The same signature with S + L satisfies the group equation, so only the S < L check refuses it (§5.1.7).
    expect(await verifyInXs(vector.publicKey, vector.message, r + sPlusL.toString("hex"))).toBe(false);
    expect(verify(null, Buffer.alloc(0), publicKeyFromHex(vector.publicKey), Buffer.concat([Buffer.from(r, "hex"), sPlusL]))).toBe(false);
    // y ≥ p is not a canonical encoding (§5.1.3 step 1).
    expect(await verifyInXs("ed" + "ff".repeat(30) + "7f", vector.message, vector.signature)).toBe(false);
    expect(await verifyInXs(vector.publicKey, vector.message, vector.signature.slice(0, 126))).toBe(false);
    expect(await verifyInXs(vector.publicKey.slice(0, 62), vector.message, vector.signature)).toBe(false);
  });

  it("agrees with Node's Ed25519 on fresh keys and messages up to 1023 bytes", async () => {
    for (const length of [0, 1, 32, 150, 1023]) {
      const { privateKey } = generateKeyPairSync("ed25519");
      const message = randomBytes(length);
      const signature = sign(null, message, privateKey).toString("hex");
      const publicKey = rawPublicKeyHex(privateKey);
      expect(await verifyInXs(publicKey, message.toString("hex"), signature)).toBe(true);
      expect(await verifyInXs(publicKey, message.toString("hex"), flipBit(signature, 500))).toBe(false);
    }
  });

  it("spreads one verification over bounded slices with a deterministic compute count", async () => {
    const vector = RFC8032[3];
    const run = async () => {
      await xs.call({ op: "begin", publicKey: vector.publicKey, message: vector.message, signature: vector.signature });
      const computes: number[] = [];
      for (;;) {
        const { value, meter } = await xs.call<{ done: boolean; valid: boolean }>({ op: "step" });
        computes.push(meter.compute);
        if (value.done) return { computes, valid: value.valid };
      }
    };
    const first = await run();
    const second = await run();
    expect(second.valid).toBe(true);
    expect(second.computes).toEqual(first.computes);
    const total = second.computes.reduce((a, b) => a + b, 0);
    console.log(`Ed25519 verification in XS: ${second.computes.length} slices, ${total} compute units in all, largest slice ${Math.max(...second.computes)}`);
    // No slice holds more than a seventh of the work, so the node's timers run between them.
    expect(Math.max(...second.computes)).toBeLessThan(total / 7);
  });
});
