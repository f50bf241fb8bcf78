import { decodeChunk, type OtaChunkRequest } from "../../shared/ota";
import { otaTopic } from "../../shared/topics";
import type { Clock, TimerHandle, Timers } from "../ports/clock";
import type { FirmwareSlot } from "../ports/firmware-slot";
import type { MqttSession } from "../ports/mqtt";
import { decodeBase64Into } from "./base64";

export interface DownloadTarget {
  campaign: string;
  sha256: string;
  sizeBytes: number;
  chunkBytes: number;
}

export interface DownloaderOptions {
  nodeId: string;
  mqtt: MqttSession;
  slot: FirmwareSlot;
  clock: Clock;
  timers: Timers;
  maxBytesPerSecond: number;
  chunkTimeoutMs: number;
  maxChunkAttempts: number;
  /** Checked before each request: a reason to hold off (an alarm, an elevator lock), or null. */
  busy: () => string | null;
  onProgress: (offset: number) => void;
  onBlocked: (reason: string) => void;
  onDone: () => void;
  onFailed: (reason: string) => void;
}

/**
 * Fetches an image one chunk at a time over MQTT, like HTTP range requests: ask for (offset,
 * length) on `ota/get`, write the answer from `ota/chunk` into the slot at that offset, ask for
 * the next. One request in flight; requests paced to `maxBytesPerSecond`; an unanswered request
 * is asked again after `chunkTimeoutMs`. A dropped link or a busy node pauses it, and it resumes
 * at the first byte it does not have: nothing already written is fetched again.
 */
export class ChunkDownloader {
  #options: DownloaderOptions;
  #target: DownloadTarget | undefined;
  #buffer: Uint8Array;
  #offset = 0;
  #attempts = 0;
  #running = false;
  #connected = false;
  #awaiting = -1;
  #nextRequestAtMs = 0;
  #timer: TimerHandle | undefined;
  #request: OtaChunkRequest = { v: 1, campaign: "", sha256: "", offset: 0, length: 0 };
  #requests = 0;
  // Bound once: a download of a thousand chunks makes no closure per chunk.
  #sendNow = () => this.#send();
  #timedOut = () => {
    this.#timer = undefined;
    this.#retry(`no answer for the chunk at ${this.#offset}`);
  };

  constructor(options: DownloaderOptions, maxChunkBytes: number) {
    this.#options = options;
    this.#buffer = new Uint8Array(maxChunkBytes);
  }

  get offset(): number {
    return this.#offset;
  }

  /** Chunk requests sent, retries included. */
  get requests(): number {
    return this.#requests;
  }

  get active(): boolean {
    return this.#target !== undefined;
  }

  start(target: DownloadTarget): void {
    if (target.chunkBytes > this.#buffer.length) throw new RangeError("chunk larger than the download buffer");
    this.#options.slot.begin(target.sizeBytes);
    this.#target = target;
    this.#offset = 0;
    this.#attempts = 0;
    this.#request.campaign = target.campaign;
    this.#request.sha256 = target.sha256;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops asking until `resume()`; what has been written stays. */
  pause(): void {
    this.#running = false;
    this.#awaiting = -1;
    this.#clearTimer();
  }

  resume(): void {
    if (!this.#target || this.#running) return;
    this.#running = true;
    this.#attempts = 0;
    this.#schedule(0);
  }

  /** Gives the download up and drops the partial image. */
  cancel(): void {
    this.pause();
    if (this.#target) this.#options.slot.abort();
    this.#target = undefined;
  }

  onConnected(): void {
    this.#connected = true;
    if (this.#running) this.#schedule(0);
  }

  onDisconnected(): void {
    this.#connected = false;
    this.#awaiting = -1;
    this.#clearTimer();
  }

  /** Handles a message from `ota/chunk`. Chunks for another image or offset (late answers to retried requests) are ignored. */
  onChunk(payload: string): void {
    const target = this.#target;
    if (!target || !this.#running || this.#awaiting < 0) return;
    const decoded = decodeChunk(payload);
    if (!decoded.ok) return;
    const chunk = decoded.value;
    if (chunk.sha256 !== target.sha256 || chunk.offset !== this.#awaiting) return;
    if ("error" in chunk) return this.#fail(`the cloud has no such image (${chunk.error})`);
    const expected = Math.min(target.chunkBytes, target.sizeBytes - this.#offset);
    let length: number;
    try {
      length = decodeBase64Into(chunk.data, this.#buffer);
    } catch (error) {
      this.#clearTimer();
      return this.#retry(`chunk at ${chunk.offset} was not base64: ${(error as Error).message}`);
    }
    this.#clearTimer();
    if (length !== expected) return this.#retry(`chunk at ${chunk.offset} held ${length} bytes, not ${expected}`);
    this.#awaiting = -1;
    try {
      this.#options.slot.write(this.#buffer, this.#offset, length);
    } catch (error) {
      return this.#fail(`flash write at ${this.#offset} failed: ${(error as Error).message}`);
    }
    this.#offset += length;
    this.#attempts = 0;
    this.#options.onProgress(this.#offset);
    if (this.#offset === target.sizeBytes) {
      this.#running = false;
      this.#target = undefined;
      this.#options.onDone();
      return;
    }
    this.#schedule(Math.max(0, this.#nextRequestAtMs - this.#options.clock.now()));
  }

  #schedule(delayMs: number): void {
    this.#clearTimer();
    if (!this.#running || !this.#connected) return;
    this.#timer = this.#options.timers.set(this.#sendNow, delayMs);
  }

  #send(): void {
    this.#timer = undefined;
    const target = this.#target;
    if (!target || !this.#running || !this.#connected) return;
    const reason = this.#options.busy();
    if (reason) {
      this.pause();
      this.#options.onBlocked(reason);
      return;
    }
    const { clock, mqtt, maxBytesPerSecond, chunkTimeoutMs } = this.#options;
    const length = Math.min(target.chunkBytes, target.sizeBytes - this.#offset);
    this.#request.offset = this.#offset;
    this.#request.length = length;
    this.#awaiting = this.#offset;
    this.#attempts++;
    this.#requests++;
    mqtt.publish(otaTopic(this.#options.nodeId, "get"), JSON.stringify(this.#request), 0);
    // Pace: the next request may leave once this one's bytes fit in the rate (a leaky bucket).
    const now = clock.now();
    this.#nextRequestAtMs = Math.max(this.#nextRequestAtMs, now) + (length * 1000) / maxBytesPerSecond;
    this.#timer = this.#options.timers.set(this.#timedOut, chunkTimeoutMs);
  }

  #retry(why: string): void {
    this.#awaiting = -1;
    if (this.#attempts >= this.#options.maxChunkAttempts) return this.#fail(`${why}, after ${this.#attempts} attempts`);
    this.#schedule(Math.max(0, this.#nextRequestAtMs - this.#options.clock.now()));
  }

  #fail(reason: string): void {
    this.cancel();
    this.#options.onFailed(reason);
  }

  #clearTimer(): void {
    this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
