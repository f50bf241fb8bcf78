export type Level = "debug" | "info" | "warn" | "error";

export interface Logger {
  (level: Level, message: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEY = /pass|secret|token|authorization|credential/i;

/**
 * One line per event: `level message key=value …`. Any field whose name suggests a secret is
 * written as [redacted], so a careless call site cannot leak a password or token into a log.
 */
export function createLogger(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`), minimum: Level = "info"): Logger {
  const order: Level[] = ["debug", "info", "warn", "error"];
  const floor = order.indexOf(minimum);
  return (level, message, fields) => {
    if (order.indexOf(level) < floor) return;
    let line = `${level.padEnd(5)} ${message}`;
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        const shown = SECRET_KEY.test(key) ? "[redacted]" : typeof value === "string" ? JSON.stringify(value) : String(value);
        line += ` ${key}=${shown}`;
      }
    }
    write(line);
  };
}

/** For tests: keeps lines in memory. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger((line) => lines.push(line), "debug") as Logger & { lines: string[] };
  logger.lines = lines;
  return logger;
}
