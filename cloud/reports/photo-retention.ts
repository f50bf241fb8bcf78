import { unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Db } from "../db/client";
import type { Logger } from "../log";
import { forgetPhotos, photosOlderThan } from "./queries";

const BATCH = 200;

/**
 * Deletes residents' photos older than the retention period (REPORT_PHOTO_DAYS): the file first,
 * then the report's reference to it, a batch at a time. The report's words and its incident stay.
 * Returns how many photos went.
 */
export async function expireReportPhotos(db: Db, dataDir: string, nowMs: number, keepDays: number): Promise<number> {
  const cutoff = nowMs - keepDays * 86_400_000;
  let removed = 0;
  for (;;) {
    const due = await photosOlderThan(db, cutoff, BATCH);
    if (due.length === 0) return removed;
    for (const report of due) {
      await unlink(join(dataDir, "reports", report.photoFile!)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
    }
    await forgetPhotos(db, due.map((r) => r.id));
    removed += due.length;
    if (due.length < BATCH) return removed;
  }
}

/** Runs the expiry now and every hour; the timer never keeps the process alive. */
export function keepReportPhotos(db: Db, dataDir: string, now: () => number, keepDays: number, log: Logger): NodeJS.Timeout {
  const run = () =>
    void expireReportPhotos(db, dataDir, now(), keepDays).then(
      (removed) => removed > 0 && log("info", "residents' photos past their retention deleted", { removed, keepDays }),
      (error: Error) => log("error", "deleting expired residents' photos failed", { error: error.message }),
    );
  run();
  const timer = setInterval(run, 3_600_000);
  timer.unref();
  return timer;
}
