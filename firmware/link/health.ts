import type { SensorState } from "../../shared/messages";
import type { TimerHandle, Timers } from "../ports/clock";
import type { Log } from "../ports/log";
import type { SystemInfo } from "../ports/system";
import type { Uplink } from "./uplink";

const MAX_ERROR_CHARS = 200;

/** A log that remembers its last error, for the heartbeat. Everything still reaches the underlying log. */
export function rememberingErrors(log: Log): { log: Log; readonly lastError: string | undefined } {
  let lastError: string | undefined;
  return {
    log: (level, message) => {
      if (level === "error") lastError = message.length > MAX_ERROR_CHARS ? message.slice(0, MAX_ERROR_CHARS) : message;
      log(level, message);
    },
    get lastError() {
      return lastError;
    },
  };
}

export interface HealthOptions {
  uplink: Uplink;
  system: SystemInfo;
  timers: Timers;
  kind: string;
  firmwareVersion: string;
  intervalMs: number;
  /** Each sensor's state, by name, as the node's drivers judge it. */
  sensors: () => Record<string, SensorState>;
  lastError: () => string | undefined;
}

/**
 * The heartbeat: every `intervalMs`, and at once after each connection, the node reports its
 * uptime (the header's `t`), heap, RSSI, reset reason, firmware, each sensor's state, the
 * outbox's depth and what it has dropped, and its last error. The minimum free heap is the
 * lowest value seen at these moments since boot: the SDK exposes the current free heap
 * (`instrumentation`'s "System Free Memory"), not ESP-IDF's low-water mark.
 */
export class HealthReporter {
  #options: HealthOptions;
  #timer: TimerHandle | undefined;
  #intervalMs: number;
  #minFreeBytes = Number.POSITIVE_INFINITY;
  #sent = 0;

  constructor(options: HealthOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Heartbeats sent since boot. */
  get sent(): number {
    return this.#sent;
  }

  start(): void {
    this.#options.timers.clear(this.#timer);
    this.#timer = this.#options.timers.repeat(() => this.report(), this.#intervalMs);
  }

  /** Changes the period (a config command) and restarts the timer. */
  setInterval(intervalMs: number): void {
    this.#intervalMs = intervalMs;
    if (this.#timer) this.start();
  }

  stop(): void {
    this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  report(): boolean {
    const { uplink, system, kind, firmwareVersion } = this.#options;
    const freeBytes = system.freeHeapBytes();
    if (freeBytes !== undefined && freeBytes < this.#minFreeBytes) this.#minFreeBytes = freeBytes;
    const rssiDbm = system.rssiDbm();
    const lastError = this.#options.lastError();
    const outbox = uplink.outbox;
    const sent = uplink.health({
      kind,
      firmware: firmwareVersion,
      intervalMs: this.#intervalMs,
      ...(freeBytes === undefined ? {} : { heap: { freeBytes, minFreeBytes: this.#minFreeBytes } }),
      ...(rssiDbm === undefined ? {} : { rssiDbm }),
      resetReason: system.resetReason(),
      sensors: this.#options.sensors(),
      outbox: { depth: outbox.depth, capacity: outbox.capacity, alarms: outbox.alarms },
      dropped: { telemetry: outbox.dropped.telemetry, event: outbox.dropped.event, alarm: outbox.dropped.alarm },
      ...(lastError === undefined ? {} : { lastError }),
    });
    if (sent) this.#sent++;
    return sent;
  }
}
