import { parseSimImage, type SimImageHeader } from "../../../../shared/sim-image";

/** ESP-IDF's per-slot image states (esp_ota_img_states_t), as the simulated otadata keeps them. */
export type SlotState = "valid" | "new" | "pending-verify" | "aborted" | "empty";

export interface BootedImage {
  slot: 0 | 1;
  header: SimImageHeader;
  /** What the bootloader did: started the selected slot, or fell back because it had not confirmed. */
  event: "booted" | "trial" | "rolled-back";
}

const SECTOR_BYTES = 4096;

/**
 * Two app slots and their otadata, held by the host so they outlive a killed XS machine the way
 * flash outlives a reset, plus the bootloader's decision at each power-on. The rules are those
 * of ESP-IDF's app rollback (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE):
 *  - esp_ota_set_boot_partition marks the new slot "new";
 *  - the bootloader starts a "new" slot once, as "pending-verify";
 *  - if it finds the selected slot still "pending-verify" (the image reset before calling
 *    esp_ota_mark_app_valid_cancel_rollback), it marks it "aborted" and starts the other;
 *  - esp_ota_mark_app_invalid_rollback_and_reboot marks the running slot "aborted" and restarts.
 * Writes follow NOR flash: a write can only clear bits, so erasing first is required.
 */
export class SimPartitions {
  readonly capacityBytes: number;
  readonly slots: [Uint8Array, Uint8Array];
  readonly states: [SlotState, SlotState] = ["valid", "empty"];
  /** The slot otadata selects for the next boot. */
  bootSlot: 0 | 1 = 0;
  /** The slot running now. */
  running: 0 | 1 = 0;
  #update: { slot: 0 | 1; byteLength: number } | null = null;
  /** Every bootloader decision, oldest first, for tests to read. */
  readonly history: BootedImage[] = [];

  constructor(factoryImage: Uint8Array, capacityBytes = 512 * 1024) {
    if (factoryImage.length > capacityBytes) throw new RangeError("factory image larger than a slot");
    if (!parseSimImage(factoryImage)) throw new Error("factory image is not a simulated app image");
    this.capacityBytes = capacityBytes;
    this.slots = [new Uint8Array(capacityBytes).fill(0xff), new Uint8Array(capacityBytes).fill(0xff)];
    this.slots[0].set(factoryImage);
  }

  /** The bootloader at power-on: picks the slot to start and applies the rollback rules. */
  selectBoot(): BootedImage {
    let slot = this.bootSlot;
    let event: BootedImage["event"] = "booted";
    if (this.states[slot] === "pending-verify") {
      this.states[slot] = "aborted";
      slot = other(slot);
      this.bootSlot = slot;
      event = "rolled-back";
    } else if (this.states[slot] === "new") {
      this.states[slot] = "pending-verify";
      event = "trial";
    }
    const header = parseSimImage(this.slots[slot]);
    if (!header) throw new Error(`slot ${slot} holds no bootable image: the node is bricked`);
    this.running = slot;
    const booted = { slot, header, event };
    this.history.push(booted);
    return booted;
  }

  /** esp_ota_begin on the slot not running: erases whole sectors covering `byteLength`. */
  begin(byteLength: number): void {
    if (!(Number.isInteger(byteLength) && byteLength > 0 && byteLength <= this.capacityBytes)) {
      throw new RangeError(`image of ${byteLength} bytes does not fit the ${this.capacityBytes}-byte slot`);
    }
    const slot = other(this.running);
    this.slots[slot].fill(0xff, 0, Math.min(this.capacityBytes, Math.ceil(byteLength / SECTOR_BYTES) * SECTOR_BYTES));
    this.states[slot] = "empty";
    this.#update = { slot, byteLength };
  }

  write(offset: number, bytes: Uint8Array): void {
    const update = this.#open();
    if (!(offset >= 0 && offset + bytes.length <= update.byteLength)) throw new RangeError(`write at ${offset}+${bytes.length} is outside the image`);
    const target = this.slots[update.slot];
    for (let i = 0; i < bytes.length; i++) target[offset + i] &= bytes[i];
  }

  /** Reads the slot being written (the "nextota" partition). */
  read(offset: number, length: number): Uint8Array {
    const update = this.#open();
    if (!(offset >= 0 && offset + length <= update.byteLength)) throw new RangeError(`read at ${offset}+${length} is outside the image`);
    return this.slots[update.slot].slice(offset, offset + length);
  }

  /** esp_ota_end (validates the app image) then esp_ota_set_boot_partition. */
  activate(): void {
    const update = this.#open();
    if (!parseSimImage(this.slots[update.slot].subarray(0, update.byteLength))) {
      throw new Error("not a valid app image (esp_ota_end: ESP_ERR_OTA_VALIDATE_FAILED)");
    }
    this.states[update.slot] = "new";
    this.bootSlot = update.slot;
    this.#update = null;
  }

  abort(): void {
    this.#update = null;
  }

  runningState(): "valid" | "pending-verify" {
    return this.states[this.running] === "pending-verify" ? "pending-verify" : "valid";
  }

  markValid(): void {
    if (this.states[this.running] === "pending-verify") this.states[this.running] = "valid";
  }

  /** esp_ota_mark_app_invalid_rollback_and_reboot: the caller restarts the node next. */
  markInvalid(): void {
    if (this.states[other(this.running)] !== "valid") throw new Error("no valid image to roll back to");
    this.states[this.running] = "aborted";
    this.bootSlot = other(this.running);
  }

  #open(): { slot: 0 | 1; byteLength: number } {
    if (!this.#update) throw new Error("no update is open (esp_ota_begin was not called)");
    return this.#update;
  }
}

function other(slot: 0 | 1): 0 | 1 {
  return slot === 0 ? 1 : 0;
}
