import type { Entropy } from "../../ports/entropy";
import { callHost } from "./host-call";

/** Random bytes from the host's CSPRNG: xsnap-worker has no hardware RNG to read. */
export const simEntropy: Entropy = {
  fill(bytes: Uint8Array): void {
    const hex = callHost({ op: "entropy", byteLength: bytes.length }) as string;
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  },
};
