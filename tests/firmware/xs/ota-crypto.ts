import { bytesToHex, hexToBytes } from "../../../firmware/ota/bytes";
import { Ed25519Verification, verifyEd25519 } from "../../../firmware/ota/ed25519";
import { Sha256 } from "../../../firmware/ota/sha256";
import { sha512 } from "../../../firmware/ota/sha512";
import { serveScenario } from "./scenario";

type Request =
  | { op: "sha256"; hex: string; chunkBytes: number }
  | { op: "sha512"; hex: string }
  | { op: "verify"; publicKey: string; message: string; signature: string }
  | { op: "begin"; publicKey: string; message: string; signature: string }
  | { op: "step" };

let verification: Ed25519Verification | undefined;

/** The OTA crypto as the node runs it: in XS, fed hex so the test can compare with Node's crypto. */
serveScenario((request: Request) => {
  switch (request.op) {
    case "sha256": {
      const bytes = hexToBytes(request.hex);
      const hash = new Sha256();
      for (let at = 0; at < bytes.length; at += request.chunkBytes) {
        hash.update(bytes, at, Math.min(request.chunkBytes, bytes.length - at));
      }
      return bytesToHex(hash.digest());
    }
    case "sha512":
      return bytesToHex(sha512(hexToBytes(request.hex)));
    case "verify":
      return verifyEd25519(hexToBytes(request.publicKey), hexToBytes(request.message), hexToBytes(request.signature));
    // One slice per request, so the host's meter shows what each slice costs.
    case "begin":
      verification = new Ed25519Verification(hexToBytes(request.publicKey), hexToBytes(request.message), hexToBytes(request.signature));
      return true;
    case "step":
      return { done: verification!.step(), valid: verification!.valid };
  }
});
