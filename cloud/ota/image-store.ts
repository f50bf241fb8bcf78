import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { esp32DevkitC, esp32S3DevkitC1, type BoardDefinition } from "../../hardware/boards";
import { keyIdOf, releaseProblem, type SignedRelease } from "../../shared/ota";
import type { Db } from "../db/client";
import { checkImageAgainstRelease } from "./image-format";
import { findImage, findRelease, insertImage, listImages, type OtaImageRow } from "./queries";
import { verifyRelease } from "./release-key";

export type OtaImage = OtaImageRow;

/** Boards an image may be released for. SEAM(issue 6): the board registry of provisioning. */
export const KNOWN_BOARDS: readonly BoardDefinition[] = [esp32DevkitC, esp32S3DevkitC1];

/** Why an upload was refused; `status` is the HTTP status the API answers with. */
export class ImageRefused extends Error {
  override name = "ImageRefused";
  constructor(
    readonly code: "bad-release" | "unknown-board" | "size-mismatch" | "hash-mismatch" | "unknown-key" | "bad-signature" | "image-mismatch" | "version-taken" | "no-release-keys",
    message: string,
    readonly status: 409 | 422 | 503 = 422,
  ) {
    super(message);
  }
}

/**
 * Firmware images, kept content-addressed: the bytes in `<dataDir>/ota/images/<sha256>.bin`,
 * what the release says about them in libSQL. An image is accepted only signed by a trusted
 * release key, and only when its size, hash, board, kind and version agree with its release.
 */
export class ImageStore {
  readonly directory: string;
  #db: Db;
  #releaseKeys: string[];
  #handles = new Map<string, Promise<FileHandle>>();

  constructor(options: { db: Db; dataDir: string; releaseKeys: string[] }) {
    this.#db = options.db;
    this.#releaseKeys = options.releaseKeys;
    this.directory = join(options.dataDir, "ota", "images");
  }

  get releaseKeys(): readonly string[] {
    return this.#releaseKeys;
  }

  /** Checks and stores an image; returns it and whether it was new. An identical re-upload is not an error. */
  async accept(image: Uint8Array, raw: unknown, uploadedBy: string, now: number): Promise<{ image: OtaImage; created: boolean }> {
    if (this.#releaseKeys.length === 0) {
      throw new ImageRefused("no-release-keys", "No release key is trusted: set OTA_RELEASE_KEYS to the release public key(s) first.", 503);
    }
    const problem = releaseProblem(raw);
    if (problem) throw new ImageRefused("bad-release", problem);
    const release = raw as SignedRelease;
    const board = KNOWN_BOARDS.find((candidate) => candidate.id === release.board);
    if (!board) throw new ImageRefused("unknown-board", `board ${release.board} is not one of ${KNOWN_BOARDS.map((b) => b.id).join(", ")}`);
    if (image.byteLength !== release.sizeBytes) {
      throw new ImageRefused("size-mismatch", `image is ${image.byteLength} bytes; the release says ${release.sizeBytes}`);
    }
    const sha256 = createHash("sha256").update(image).digest("hex");
    if (sha256 !== release.sha256) throw new ImageRefused("hash-mismatch", `image SHA-256 is ${sha256}; the release says ${release.sha256}`);
    const key = this.#releaseKeys.find((candidate) => keyIdOf(candidate) === release.keyId);
    if (!key) throw new ImageRefused("unknown-key", `release key ${release.keyId} is not trusted here`);
    if (!verifyRelease(release, key)) throw new ImageRefused("bad-signature", `the signature does not verify under release key ${release.keyId}`);
    let format: OtaImage["format"];
    try {
      format = checkImageAgainstRelease(image, release, board).format;
    } catch (error) {
      throw new ImageRefused("image-mismatch", (error as Error).message);
    }

    const existing = await findRelease(this.#db, release.board, release.kind, release.version);
    if (existing) {
      if (existing.sha256 === sha256) return { image: existing, created: false };
      throw new ImageRefused("version-taken", `${release.kind} ${release.version} for ${release.board} was already released as ${existing.sha256}; release a new version`, 409);
    }

    mkdirSync(this.directory, { recursive: true });
    const file = this.path(sha256);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, image);
    renameSync(temporary, file);
    const row: OtaImage = {
      sha256,
      board: release.board,
      kind: release.kind,
      version: release.version,
      sizeBytes: release.sizeBytes,
      signature: release.signature,
      keyId: release.keyId,
      format,
      uploadedAt: now,
      uploadedBy,
    };
    const { row: stored, created } = await insertImage(this.#db, row);
    return { image: stored, created };
  }

  path(sha256: string): string {
    return join(this.directory, `${sha256}.bin`);
  }

  get(sha256: string): Promise<OtaImage | undefined> {
    return findImage(this.#db, sha256);
  }

  list(): Promise<OtaImage[]> {
    return listImages(this.#db);
  }

  /** Reads `length` bytes at `offset` of a stored image; handles stay open, since a campaign reads one image many times. */
  async read(sha256: string, offset: number, length: number): Promise<Uint8Array> {
    let handle = this.#handles.get(sha256);
    if (!handle) {
      handle = open(this.path(sha256), "r");
      this.#handles.set(sha256, handle);
      handle.catch(() => this.#handles.delete(sha256));
    }
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await (await handle).read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  }

  /** The release as nodes receive it in an offer. */
  static release(image: OtaImage): SignedRelease {
    return {
      board: image.board,
      kind: image.kind as SignedRelease["kind"],
      version: image.version,
      sizeBytes: image.sizeBytes,
      sha256: image.sha256,
      signature: image.signature,
      keyId: image.keyId,
    };
  }

  async close(): Promise<void> {
    const handles = [...this.#handles.values()];
    this.#handles.clear();
    await Promise.all(handles.map(async (handle) => (await handle.catch(() => null))?.close()));
  }
}
