import { closeSync, fdatasync, fstatSync, openSync, statSync, type Stats } from "node:fs";

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
 *
 * The file stays open between syncs: opening and closing it were two more trips through the
 * pool, each costing a turn of a busy event loop before the sync itself could start (three
 * turns per acknowledgement under a flood). A `stat` on the loop (microseconds) tells whether
 * the path still names the file held open; if SQLite removed or replaced it, it is opened again.
 */
export class DurableLog {
  #walPath: string;
  #dbPath: string;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #syncs = 0;
  #held: { fd: number; path: string; ino: number; dev: number } | undefined;

  constructor(dbPath: string) {
    this.#dbPath = dbPath;
    this.#walPath = `${dbPath}-wal`;
  }

  /** fdatasyncs done so far. */
  get syncs(): number {
    return this.#syncs;
  }

  /** The file held open for syncing, and its inode (for tests). */
  get held(): { path: string; ino: number } | undefined {
    return this.#held && { path: this.#held.path, ino: this.#held.ino };
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
      const fd = this.#fd();
      await new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
      this.#syncs++;
    } finally {
      if (!this.#next) this.#running = undefined;
    }
  }

  /** The descriptor of the WAL (or, without one, the database file), opened again if the path now names another file. */
  #fd(): number {
    let path = this.#walPath;
    let now = statOrNull(path);
    if (!now) now = statSync((path = this.#dbPath));
    const held = this.#held;
    if (held && held.path === path && held.ino === now.ino && held.dev === now.dev) return held.fd;
    this.close();
    const fd = openSync(path, "r");
    const opened = fstatSync(fd);
    this.#held = { fd, path, ino: opened.ino, dev: opened.dev };
    return fd;
  }

  /** Lets go of the file held open (at shutdown, after the last sync). */
  close(): void {
    if (this.#held) closeSync(this.#held.fd);
    this.#held = undefined;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
