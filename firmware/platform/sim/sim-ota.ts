/// <reference path="./xsnap-globals.d.ts" />
import { decodeBase64Into, encodeBase64 } from "../../ota/base64";
import { Sha256 } from "../../ota/sha256";
import type { BootControl, BootState } from "../../ports/boot-control";
import type { FirmwareSlot } from "../../ports/firmware-slot";
import type { OtaPlatform } from "../../ports/platform";
import { callHost } from "./host-call";

const ascii = new TextDecoder();

/** The inactive app slot, kept by the host (host/sim-partitions.ts) so it outlives this XS machine. */
export class SimFirmwareSlot implements FirmwareSlot {
  readonly capacityBytes: number;

  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
  }

  begin(byteLength: number): void {
    callHost({ op: "ota.slot.begin", byteLength });
  }

  write(bytes: Uint8Array, offset: number, length: number): void {
    callHost({ op: "ota.slot.write", offset, data: ascii.decode(encodeBase64(bytes, 0, length)) });
  }

  read(into: Uint8Array, offset: number, length: number): void {
    const data = callHost({ op: "ota.slot.read", offset, length }) as string;
    if (decodeBase64Into(data, into) !== length) throw new Error(`slot read at ${offset} returned the wrong length`);
  }

  activate(): void {
    callHost({ op: "ota.slot.activate" });
  }

  abort(): void {
    callHost({ op: "ota.slot.abort" });
  }
}

/** The host plays the bootloader; after a rollback it restarts this machine as it does for `SystemInfo.restart`. */
export class SimBootControl implements BootControl {
  runningState(): BootState {
    return callHost({ op: "ota.boot.state" }) as BootState;
  }

  markValid(): void {
    callHost({ op: "ota.boot.markValid" });
  }

  rollback(): void {
    callHost({ op: "ota.boot.rollback" });
  }
}

/** The simulator hashes with the firmware's own SHA-256, in XS: the code under test is the code that ships. */
export function simOtaPlatform(capacityBytes: number): OtaPlatform {
  return { slot: new SimFirmwareSlot(capacityBytes), boot: new SimBootControl(), sha256: () => new Sha256() };
}
