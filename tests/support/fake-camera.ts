import { writeFileSync } from "node:fs";
import QRCode from "qrcode";

const WIDTH = 640;
const HEIGHT = 480;
/** Pixels per QR module, and the quiet zone around the code (four modules, as ISO/IEC 18004 asks). */
const MODULE_PX = 8;
const QUIET_MODULES = 4;

/**
 * A camera that sees `text` as a QR code, for Chromium's fake capture device
 * (`--use-file-for-fake-video-capture=<file>.y4m`): a YUV4MPEG2 file (4:2:0, as Chromium reads
 * it) of a few frames of a black-on-white code centred in a grey room, which Chromium loops.
 * Returns the Chromium flags that make it the page's camera.
 */
export function fakeCameraShowing(text: string, path: string): string[] {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = qr.modules.size;
  const codePx = (size + 2 * QUIET_MODULES) * MODULE_PX;
  if (codePx > HEIGHT) throw new Error(`"${text}" makes a QR code too large for the ${WIDTH}×${HEIGHT} frame`);
  const luma = Buffer.alloc(WIDTH * HEIGHT, 150);
  const left = (WIDTH - codePx) >> 1;
  const top = (HEIGHT - codePx) >> 1;
  for (let y = 0; y < codePx; y++) {
    for (let x = 0; x < codePx; x++) {
      const mx = Math.floor(x / MODULE_PX) - QUIET_MODULES;
      const my = Math.floor(y / MODULE_PX) - QUIET_MODULES;
      const dark = mx >= 0 && my >= 0 && mx < size && my < size && qr.modules.get(my, mx) === 1;
      luma[(top + y) * WIDTH + left + x] = dark ? 16 : 235;
    }
  }
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
  const frames = [Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < 5; i++) frames.push(Buffer.from("FRAME\n"), luma, chroma);
  writeFileSync(path, Buffer.concat(frames));
  return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${path}`];
}
