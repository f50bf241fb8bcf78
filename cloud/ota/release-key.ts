import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { keyIdOf, releaseStatementText, type ReleaseStatement, type SignedRelease } from "../../shared/ota";

/**
 * The release key, Ed25519 (RFC 8032), on the cloud side with Node's crypto. The private half
 * signs releases in the release CLI and lives offline with whoever cuts releases; the cloud and
 * the nodes hold only public keys (64 hex digits, the raw 32-byte key).
 *
 * Ed25519 rather than ECDSA P-256: the node must verify in XS, and the Moddable SDK has no
 * Ed25519 and exposes P-256 only inside its TLS stack, without typings. A verifier in TypeScript
 * is needed either way, and Ed25519's is the smaller and safer one to write: deterministic
 * signatures (no per-signature nonce to get wrong), one fixed curve with complete addition
 * formulas, and test vectors in RFC 8032 §7.1 that the firmware's verifier is tested against.
 */
export function generateReleaseKey(): { privateKeyPem: string; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), publicKeyHex: rawPublicKeyHex(publicKey) };
}

export function loadPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`the release key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

export function rawPublicKeyHex(key: KeyObject): string {
  const jwk = (key.type === "private" ? createPublicKey(key) : key).export({ format: "jwk" });
  return Buffer.from(jwk.x as string, "base64url").toString("hex");
}

export function publicKeyFromHex(hex: string): KeyObject {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error("an Ed25519 public key is 64 lowercase hex digits");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(hex, "hex").toString("base64url") }, format: "jwk" });
}

export function signRelease(statement: ReleaseStatement, privateKey: KeyObject): SignedRelease {
  const signature = sign(null, Buffer.from(releaseStatementText(statement), "ascii"), privateKey).toString("hex");
  return { ...statement, signature, keyId: keyIdOf(rawPublicKeyHex(privateKey)) };
}

/** True when `release` is signed by `publicKeyHex` over exactly its statement. */
export function verifyRelease(release: SignedRelease, publicKeyHex: string): boolean {
  const statement: ReleaseStatement = {
    board: release.board,
    kind: release.kind,
    version: release.version,
    sizeBytes: release.sizeBytes,
    sha256: release.sha256,
  };
  return verify(null, Buffer.from(releaseStatementText(statement), "ascii"), publicKeyFromHex(publicKeyHex), Buffer.from(release.signature, "hex"));
}
