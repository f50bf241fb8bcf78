/**
 * What the node can learn about, and do to, the machine it runs on. On the ESP32: Moddable's
 * `instrumentation` (free heap), `net` (Wi-Fi RSSI), `resetReason` and `System.restart()`; in the
 * simulator: values the host keeps, and a restart that the host carries out on the XS machine.
 */
export interface SystemInfo {
  /** Free heap in bytes now; undefined where the platform cannot tell. */
  freeHeapBytes(): number | undefined;
  /** Received signal strength of the Wi-Fi link, dBm; undefined while not associated. */
  rssiDbm(): number | undefined;
  /** Why this boot happened, in the project's words: `power-on`, `software`, `panic`, `task-wdt`, … */
  resetReason(): string;
  /** Restarts the node. Does not return on a device; in the simulator the host restarts the XS machine. */
  restart(): void;
}
