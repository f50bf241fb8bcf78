export type LogLevel = "debug" | "info" | "warn" | "error";

/** Where the firmware's diagnostics go: the serial console on a board, the host's log in the simulator. */
export interface Log {
  (level: LogLevel, message: string): void;
}
