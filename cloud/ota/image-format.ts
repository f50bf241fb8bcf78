import type { BoardDefinition } from "../../hardware/boards";
import type { ReleaseStatement } from "../../shared/ota";
import { parseSimImage } from "../../shared/sim-image";

export type ImageFormat = "esp32-app" | "sim";

/** ESP-IDF esp_image_header_t: magic 0xE9 at 0, chip_id (u16, little-endian) at 12 (esp_app_format.h). */
const ESP_IMAGE_MAGIC = 0xe9;
const CHIP_ID_OFFSET = 12;
/** esp_chip_id_t values. */
const CHIP_IDS: Record<BoardDefinition["chip"], number> = { esp32: 0x0000, esp32s3: 0x0009 };
/** esp_app_desc_t follows the 24-byte image header and the 8-byte first segment header: magic word, then version[32] at +16. */
const APP_DESC_OFFSET = 32;
const APP_DESC_MAGIC = 0xabcd5432;

export interface ImageCheck {
  format: ImageFormat;
  /** The version the image says of itself, when it says one. */
  embeddedVersion: string | null;
}

/**
 * Looks inside the image for what it can say about itself and refuses it when that contradicts
 * the release: an ESP32 app image built for another chip, or a simulated image whose header
 * names another board, kind or version. Throws with the reason.
 */
export function checkImageAgainstRelease(image: Uint8Array, release: ReleaseStatement, board: BoardDefinition): ImageCheck {
  if (image[0] === ESP_IMAGE_MAGIC) {
    if (image.length < APP_DESC_OFFSET + 48) throw new Error("image is too short to be an ESP32 app image");
    const chipId = image[CHIP_ID_OFFSET] | (image[CHIP_ID_OFFSET + 1] << 8);
    if (chipId !== CHIP_IDS[board.chip]) {
      throw new Error(`image is built for chip id 0x${chipId.toString(16)}, but ${board.id} is an ${board.chip} (0x${CHIP_IDS[board.chip].toString(16)})`);
    }
    const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    let embeddedVersion: string | null = null;
    if (view.getUint32(APP_DESC_OFFSET, true) === APP_DESC_MAGIC) {
      const bytes = image.subarray(APP_DESC_OFFSET + 16, APP_DESC_OFFSET + 48);
      const end = bytes.indexOf(0);
      embeddedVersion = new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end));
    }
    return { format: "esp32-app", embeddedVersion };
  }
  const sim = parseSimImage(image);
  if (sim) {
    if (sim.board !== release.board) throw new Error(`image header says board ${sim.board}, the release says ${release.board}`);
    if (sim.kind !== release.kind) throw new Error(`image header says kind ${sim.kind}, the release says ${release.kind}`);
    if (sim.version !== release.version) throw new Error(`image header says version ${sim.version}, the release says ${release.version}`);
    return { format: "sim", embeddedVersion: sim.version };
  }
  throw new Error("image is neither an ESP32 app image (first byte 0xE9) nor a simulator image");
}
