import { open } from "node:fs/promises";

/**
 * Durability without blocking the event loop. With `synchronous = FULL` every commit of the
 * embedded database fsyncs its write-ahead log on the event loop: 3–4 ms each on these machines
 * (more under load), and the incident desk commits a dozen statements per incident, so under a
 * flood the loop spent most of its time waiting on the disk (bench:flood: a second of database
 * time per second of wall time at 40 % CPU). The database runs with `synchronous = NORMAL`
 * instead (commits reach the OS, not the disk; a crash of the process loses nothing, a power
 * loss may lose the last commits, never corrupting the file: SQLite's WAL documentation), and
 * whoever must not lose a commit (the ingest, before it acknowledges) asks for the log to be on
 * disk: `fdatasync` of the WAL file on libuv's thread pool, off the loop. Callers that arrive
 * while a sync is under way share the next one, so a burst costs two syncs, not one per caller.
 *
 * A sync that finds no WAL file (every connection closed, so SQLite checkpointed the log into
 * the database and removed it) syncs the database file, where the commits now are.
 */
export class DurableLog {
  #walPath: string;
  #dbPath: string;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #syncs = 0;

  constructor(dbPath: string) {
    this.#dbPath = dbPath;
    this.#walPath = `${dbPath}-wal`;
  }

  /** fdatasyncs done so far. */
  get syncs(): number {
    return this.#syncs;
  }

  /** Resolves once every commit made before the call is on disk. */
  sync(): Promise<void> {
    if (!this.#running) return (this.#running = this.#syncNow());
    // The sync under way may have begun before the caller's commit: wait for one begun after it.
    this.#next ??= this.#running.catch(() => undefined).then(() => {
      this.#next = undefined;
      return (this.#running = this.#syncNow());
    });
    return this.#next;
  }

  async #syncNow(): Promise<void> {
    try {
      let file;
      try {
        file = await open(this.#walPath, "r");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        file = await open(this.#dbPath, "r");
      }
      try {
        await file.datasync();
        this.#syncs++;
      } finally {
        await file.close();
      }
    } finally {
      if (!this.#next) this.#running = undefined;
    }
  }
}
