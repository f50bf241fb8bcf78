import type { BootControl } from "./boot-control";
import type { Clock, Timers } from "./clock";
import type { FirmwareSlot } from "./firmware-slot";
import type { Entropy } from "./entropy";
import type { Device } from "./io";
import type { Log } from "./log";
import type { MqttSession } from "./mqtt";
import type { Sha256Hasher } from "./sha256";
import type { KeyValueStore } from "./storage";
import type { SystemInfo } from "./system";

/** Everything the node's logic is handed. Only `platform/esp32` and `platform/sim` build one. */
export interface Platform {
  clock: Clock;
  timers: Timers;
  device: Device;
  mqtt: MqttSession;
  storage: KeyValueStore;
  system: SystemInfo;
  log: Log;
  /**
   * True random bytes (the ESP32's hardware RNG; the host's CSPRNG in the simulator), for what must
   * differ between two starts of the same node: a new boot era after flash was erased.
   */
  entropy?: Entropy;
  /** Present where the node can update itself: the inactive app partition and the bootloader's rollback. */
  ota?: OtaPlatform;
}

export interface OtaPlatform {
  slot: FirmwareSlot;
  boot: BootControl;
  /** A fresh streaming SHA-256 for checking an image read back from the slot. */
  sha256(): Sha256Hasher;
}
