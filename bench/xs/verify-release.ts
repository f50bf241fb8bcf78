/// <reference path="../../tests/firmware/xs/xs-globals.d.ts" />
import { asciiBytes, hexToBytes } from "../../firmware/ota/bytes";
import { Ed25519Verification } from "../../firmware/ota/ed25519";
import { Sha256 } from "../../firmware/ota/sha256";

/**
 * The node's release check, in XS, one request per slice so the host's meter shows each slice:
 * "begin" prepares a verification of the release statement, "step" runs one slice, "verify"
 * runs all slices in one go (one crank, so its duration is XS time only), "sha256" hashes
 * `kib` KiB with the firmware's TypeScript SHA-256.
 */
let verification: Ed25519Verification | undefined;
const block = new Uint8Array(1024);
const hasher = new Sha256();
const encoder = new TextEncoder();
const decoder = new TextDecoder();

globalThis.handleCommand = (bytes: ArrayBuffer): ArrayBuffer => {
  const request = JSON.parse(decoder.decode(bytes)) as { op: string; publicKey?: string; statement?: string; signature?: string; kib?: number };
  let answer: unknown = null;
  if (request.op === "begin") {
    verification = new Ed25519Verification(hexToBytes(request.publicKey!), asciiBytes(request.statement!), hexToBytes(request.signature!));
  } else if (request.op === "step") {
    answer = { done: verification!.step(), valid: verification!.valid };
  } else if (request.op === "verify") {
    const whole = new Ed25519Verification(hexToBytes(request.publicKey!), asciiBytes(request.statement!), hexToBytes(request.signature!));
    while (!whole.step());
    answer = { done: true, valid: whole.valid };
  } else if (request.op === "sha256") {
    hasher.reset();
    for (let i = 0; i < request.kib!; i++) hasher.update(block, 0, block.length);
    answer = hasher.digest()[0];
  }
  return encoder.encode(JSON.stringify(answer)).buffer as ArrayBuffer;
};
