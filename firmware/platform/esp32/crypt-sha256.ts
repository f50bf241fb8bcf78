import { Digest } from "crypt";
import type { Sha256Hasher } from "../../ports/sha256";

/**
 * SHA-256 in native code (the SDK's `crypt` Digest) for checking a 1.5 MB image read back from
 * flash: the firmware's own TypeScript SHA-256 costs about 16,500 XS operations per 64-byte
 * block, which on an ESP32 would take the better part of a minute for a full image.
 */
export class CryptSha256 implements Sha256Hasher {
  #digest = new Digest("SHA256");

  reset(): void {
    this.#digest.reset();
  }

  update(bytes: Uint8Array, offset: number, length: number): void {
    const view = offset === 0 && length === bytes.length ? bytes : bytes.subarray(offset, offset + length);
    // The native write takes any buffer source (xsmcGetBufferReadable); its typings say ArrayBuffer only.
    this.#digest.write(view as unknown as ArrayBuffer);
  }

  digest(out: Uint8Array): Uint8Array {
    out.set(new Uint8Array(this.#digest.close()));
    return out;
  }
}
