import jsQR from "jsqr";
import { html, nothing } from "lit";
import { SwElement } from "../base";
import { t, type MessageKey } from "../i18n/i18n";

/** A camera frame looked at this often: enough to catch a label held still, light on a phone's battery. */
const SCAN_MS = 200;
/** Frames are scaled down to this width before jsQR reads them: a label fills much of the frame, and a smaller image decodes faster. */
const JSQR_WIDTH = 640;

type Decode = (video: HTMLVideoElement) => Promise<string | null>;
type ScanState = "starting" | "scanning" | "unavailable" | "refused" | "failed";

/** The Shape Detection API's detector, where the browser has one (not yet in TypeScript's DOM types). */
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

/**
 * The browser's own QR reader (BarcodeDetector: Android's Chrome, Safari on recent iPhones)
 * where it reads QR codes; otherwise jsQR on frames drawn into a canvas, which works in any
 * browser with a camera. Says which, for the page and its tests.
 */
async function qrDecoder(): Promise<{ name: "barcode-detector" | "jsqr"; decode: Decode }> {
  const Detector = (window as unknown as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (Detector) {
    try {
      if ((await Detector.getSupportedFormats()).includes("qr_code")) {
        const detector = new Detector({ formats: ["qr_code"] });
        return { name: "barcode-detector", decode: async (video) => (await detector.detect(video))[0]?.rawValue ?? null };
      }
    } catch {
      // A detector that cannot list its formats is not trusted; jsQR reads instead.
    }
  }
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  return {
    name: "jsqr",
    decode: async (video) => {
      if (!video.videoWidth) return null;
      const scale = Math.min(1, JSQR_WIDTH / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      return jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" })?.data ?? null;
    },
  };
}

const STATE_WORDS: Partial<Record<ScanState, MessageKey>> = {
  starting: "scan.starting",
  unavailable: "scan.unavailable",
  refused: "scan.refused",
  failed: "scan.failed",
};

/**
 * Reads a QR code with the phone's back camera and fires `scanned` (detail: the text) once, then
 * lets the camera go; `cancel` when the person gives up. Without a camera (or on a plain-http
 * page, where browsers give none) it says so, and the page's typed field remains.
 */
export class SwQrScanner extends SwElement {
  static override properties = { state: { state: true }, decoder: { state: true } };
  state: ScanState = "starting";
  decoder = "";
  private stream: MediaStream | null = null;
  private timer?: ReturnType<typeof setTimeout>;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  private async start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.state = "unavailable";
      return;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
    } catch (error) {
      this.state = (error as DOMException).name === "NotAllowedError" ? "refused" : "failed";
      return;
    }
    if (!this.isConnected) return this.stop();
    const { name, decode } = await qrDecoder();
    this.decoder = name;
    this.state = "scanning";
    await this.updateComplete;
    const video = this.querySelector("video")!;
    video.srcObject = this.stream;
    await video.play().catch(() => {});
    this.scanSoon(video, decode);
  }

  private scanSoon(video: HTMLVideoElement, decode: Decode): void {
    this.timer = setTimeout(async () => {
      const text = await decode(video).catch(() => null);
      if (!this.stream) return;
      if (text) {
        this.stop();
        this.dispatchEvent(new CustomEvent("scanned", { detail: text, bubbles: true }));
      } else {
        this.scanSoon(video, decode);
      }
    }, SCAN_MS);
  }

  private stop(): void {
    clearTimeout(this.timer);
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }

  protected override render() {
    const words = STATE_WORDS[this.state];
    return html`<div class="scanner" data-scanner=${this.state} data-decoder=${this.decoder}>
      ${this.state === "scanning"
        ? html`<video class="scanner-video" muted playsinline aria-label=${t("scan.video")}></video>
            <p role="status">${t("scan.aim")}</p>`
        : html`<p class=${this.state === "starting" ? "" : "error"} role="status">${words ? t(words) : nothing}</p>`}
      <div class="actions">
        <button class="btn" type="button" @click=${() => (this.stop(), this.dispatchEvent(new CustomEvent("cancel", { bubbles: true })))}>${t("scan.cancel")}</button>
      </div>
    </div>`;
  }
}
customElements.define("sw-qr-scanner", SwQrScanner);
