import { compareVersions, decodeOtaCommand, keyIdOf, OTA_CHUNK_BYTES, releaseStatementText, type OtaOffer, type OtaState } from "../../shared/ota";
import { otaTopic } from "../../shared/topics";
import type { BootState } from "../ports/boot-control";
import type { Clock, TimerHandle, Timers } from "../ports/clock";
import type { Log } from "../ports/log";
import type { MqttSession } from "../ports/mqtt";
import type { OtaPlatform } from "../ports/platform";
import type { KeyValueStore } from "../ports/storage";
import { asciiBytes, bytesToHex, hexToBytes, sameBytes } from "./bytes";
import { ChunkDownloader } from "./chunk-downloader";
import { Ed25519Verification } from "./ed25519";
import type { OtaConfig } from "./ota-config";
import { OtaJournal, type OtaJournalEntry } from "./ota-journal";
import { OtaReporter } from "./ota-reporter";

export interface OtaAgentOptions {
  nodeId: string;
  bootId: number;
  runningVersion: string;
  config: OtaConfig;
  platform: OtaPlatform;
  mqtt: MqttSession;
  storage: KeyValueStore;
  clock: Clock;
  timers: Timers;
  log: Log;
  /** Why the node must not update now (an active alarm, a held elevator lock), or null when it may. */
  busy: () => string | null;
  /** The node's own view of its health: sensors sampling, link up. A new image must hold it to stay. */
  healthy: () => boolean;
  /** Restarts the node (the platform's `SystemInfo.restart`); does not return on a device. */
  restart: () => void;
}

type Phase = "idle" | "verifying-signature" | "deferred" | "downloading" | "hashing" | "verified" | "applying" | "trial";

interface Update {
  offer: OtaOffer;
  key: Uint8Array;
  progress: number;
}

export interface OtaInspection {
  phase: Phase;
  campaign: string | null;
  version: string | null;
  running: string;
  bootState: BootState;
  progress: number;
  downloadedBytes: number;
  chunkRequests: number;
  lastFailure: string | null;
  signatureCheckMs: number | null;
}

/** Image bytes hashed per timer tick when reading the slot back: long enough to be quick, short enough not to stall sampling. */
const HASH_BYTES_PER_TICK = 16 * 1024;
/** After switching, the node restarts once its "applied" report is acknowledged, or after this long regardless. */
const RESTART_GRACE_MS = 5000;
const TRIAL_CHECK_MS = 1000;

/**
 * The node's side of an update, from offer to a confirmed new image or a rollback:
 *
 *   offer ─▶ checks (board, kind, newer version, size, known key)
 *         ─▶ Ed25519 signature over the release statement, in slices, before a byte is fetched
 *         ─▶ chunked download into the inactive slot (paced, resumable, paused while busy)
 *         ─▶ SHA-256 of what the slot holds must equal the signed one
 *         ─▶ switch (only when not busy) ─▶ restart
 *   new image: "pending-verify" ─▶ connected, healthy and heard for healthStableMs ─▶ mark valid
 *                               └▶ not so within healthWindowMs ─▶ roll back to the previous image
 *
 * Nothing is switched before both checks pass, and nothing is switched, downloaded or verified
 * while `busy()` names a reason: an alarm or an elevator lock always comes first.
 */
export class OtaAgent {
  #options: OtaAgentOptions;
  #reporter: OtaReporter;
  #journal: OtaJournal;
  #downloader: ChunkDownloader;
  #phase: Phase = "idle";
  #update: Update | undefined;
  #connected = false;
  #timer: TimerHandle | undefined;
  #trialTimer: TimerHandle | undefined;
  #deferredReason: string | null = null;
  #lastFailure: string | null = null;
  #signatureCheckMs: number | null = null;
  #bootState: BootState = "unknown";
  #offerTopic: string;
  #chunkTopic: string;

  constructor(options: OtaAgentOptions) {
    this.#options = options;
    const { config, mqtt, clock, timers, nodeId } = options;
    this.#offerTopic = otaTopic(nodeId, "offer");
    this.#chunkTopic = otaTopic(nodeId, "chunk");
    this.#reporter = new OtaReporter({
      mqtt,
      clock,
      nodeId,
      bootId: options.bootId,
      running: options.runningVersion,
      board: config.board,
      kind: config.kind,
    });
    this.#journal = new OtaJournal(options.storage);
    this.#downloader = new ChunkDownloader(
      {
        nodeId,
        mqtt,
        slot: options.platform.slot,
        clock,
        timers,
        maxBytesPerSecond: config.maxBytesPerSecond,
        chunkTimeoutMs: config.chunkTimeoutMs,
        maxChunkAttempts: config.maxChunkAttempts,
        busy: options.busy,
        onProgress: (offset) => this.#onProgress(offset),
        onBlocked: (reason) => this.#defer(reason, () => this.#resumeDownload()),
        onDone: () => this.#hashSlot(),
        onFailed: (reason) => this.#fail(reason),
      },
      OTA_CHUNK_BYTES,
    );
  }

  /** Topics the node subscribes to on every connection for its updates: offers and chunks, under its `cmd/` tree. */
  static topics(nodeId: string): string[] {
    return [otaTopic(nodeId, "offer"), otaTopic(nodeId, "chunk")];
  }

  /** At boot: finishes what an earlier boot started (confirm or report a rollback), else announces the node. */
  start(): void {
    const { platform, runningVersion } = this.#options;
    this.#bootState = platform.boot.runningState();
    const entry = this.#journal.load();
    if (entry && entry.version === runningVersion) {
      if (this.#bootState === "pending-verify") return this.#startTrial(entry);
      // Marked valid before a restart cut the report short: say so again.
      return this.#reporter.send({ campaign: entry.campaign, state: "healthy", version: runningVersion }, () => this.#journal.clear());
    }
    if (entry) {
      const outcome: { state: OtaState; reason: string } =
        entry.phase === "applying"
          ? { state: "failed", reason: `power was lost while switching to ${entry.version}; ${runningVersion} kept running` }
          : {
              state: "rolled-back",
              reason: entry.rollbackReason ?? `${entry.version} restarted before it confirmed its health, so the bootloader went back to ${runningVersion}`,
            };
      this.#options.log("warn", `update to ${entry.version} did not stay: ${outcome.reason}`);
      this.#lastFailure = outcome.reason;
      return this.#reporter.send({ campaign: entry.campaign, state: outcome.state, version: entry.version, reason: outcome.reason }, () =>
        this.#journal.clear(),
      );
    }
    if (this.#bootState === "pending-verify") return this.#startTrial(null);
    this.#reporter.send({ campaign: null, state: "idle", version: null });
  }

  stop(): void {
    this.#clearTimer();
    this.#options.timers.clear(this.#trialTimer);
    this.#downloader.pause();
  }

  onConnected(): void {
    this.#connected = true;
    this.#reporter.onConnected();
    this.#downloader.onConnected();
  }

  onDisconnected(): void {
    this.#connected = false;
    this.#reporter.onDisconnected();
    this.#downloader.onDisconnected();
  }

  onPublished(packetId: number): boolean {
    return this.#reporter.onPublished(packetId);
  }

  /** Takes the messages on the node's OTA topics; returns false for any other topic. */
  onMessage(topic: string, payload: string): boolean {
    if (topic === this.#chunkTopic) {
      this.#downloader.onChunk(payload);
      return true;
    }
    if (topic !== this.#offerTopic) return false;
    const decoded = decodeOtaCommand(payload);
    if (!decoded.ok) {
      this.#options.log("warn", `OTA command refused: ${decoded.problem}`);
      return true;
    }
    const command = decoded.value;
    if (command.type === "ota-cancel") this.#cancel(command.campaign);
    else this.#offer(command);
    return true;
  }

  inspect(): OtaInspection {
    const update = this.#update;
    return {
      phase: this.#phase,
      campaign: update?.offer.campaign ?? null,
      version: update?.offer.release.version ?? null,
      running: this.#options.runningVersion,
      bootState: this.#bootState,
      progress: update?.progress ?? 0,
      downloadedBytes: this.#downloader.offset,
      chunkRequests: this.#downloader.requests,
      lastFailure: this.#lastFailure,
      signatureCheckMs: this.#signatureCheckMs,
    };
  }

  #offer(offer: OtaOffer): void {
    const release = offer.release;
    const current = this.#update;
    if (current && current.offer.campaign === offer.campaign && current.offer.release.sha256 === release.sha256) {
      this.#reportState(); // a re-sent offer: say where this one stands
      return;
    }
    const { config, runningVersion, platform } = this.#options;
    if (release.version === runningVersion && release.board === config.board && release.kind === config.kind) {
      // Offered what it already runs (a re-sent offer after the switch). On trial, the pending
      // trial report answers it; once confirmed, say so again.
      if (this.#phase !== "trial") this.#reporter.send({ campaign: offer.campaign, state: "healthy", version: runningVersion });
      return;
    }
    if (current || this.#phase === "trial") {
      const what = current ? `${current.offer.release.version} for campaign ${current.offer.campaign}` : "the last update";
      this.#reporter.send({ campaign: offer.campaign, state: "failed", version: release.version, reason: `busy installing ${what}` });
      return;
    }
    let problem: string | null = null;
    const key = config.releaseKeys.find((candidate) => keyIdOf(candidate) === release.keyId);
    if (release.board !== config.board) problem = `image is for board ${release.board}; this node is ${config.board}`;
    else if (release.kind !== config.kind) problem = `image is for ${release.kind} nodes; this node is a ${config.kind} node`;
    else if (compareVersions(release.version, runningVersion) <= 0) problem = `version ${release.version} is not newer than the running ${runningVersion}`;
    else if (release.sizeBytes > platform.slot.capacityBytes) problem = `image of ${release.sizeBytes} bytes exceeds the ${platform.slot.capacityBytes}-byte slot`;
    else if (!key) problem = `release key ${release.keyId} is not one this node trusts`;
    if (problem) {
      this.#lastFailure = problem;
      this.#options.log("warn", `update refused: ${problem}`);
      this.#reporter.send({ campaign: offer.campaign, state: "failed", version: release.version, reason: problem });
      return;
    }
    this.#update = { offer, key: hexToBytes(key!), progress: 0 };
    this.#setPhase("verifying-signature");
    this.#reportState();
    this.#whenFree(() => this.#verifySignature());
  }

  #verifySignature(): void {
    const update = this.#update!;
    const release = update.offer.release;
    this.#setPhase("verifying-signature");
    const verification = new Ed25519Verification(update.key, asciiBytes(releaseStatementText(release)), hexToBytes(release.signature));
    const { clock, timers } = this.#options;
    const startedMs = clock.now();
    const slice = () => {
      this.#timer = undefined;
      if (this.#update !== update) return;
      if (!verification.step()) {
        this.#timer = timers.set(slice, 0);
        return;
      }
      this.#signatureCheckMs = clock.now() - startedMs;
      if (!verification.valid) return this.#fail(`signature does not verify under release key ${release.keyId}: image refused before download`);
      this.#options.log("info", `release ${release.version} signature verified in ${this.#signatureCheckMs} ms`);
      this.#whenFree(() => this.#startDownload());
    };
    this.#timer = timers.set(slice, 0);
  }

  #startDownload(): void {
    const update = this.#update!;
    const release = update.offer.release;
    this.#setPhase("downloading");
    this.#reportState();
    try {
      this.#downloader.start({ campaign: update.offer.campaign, sha256: release.sha256, sizeBytes: release.sizeBytes, chunkBytes: update.offer.chunkBytes });
    } catch (error) {
      return this.#fail(`could not start writing the update partition: ${(error as Error).message}`);
    }
    if (this.#connected) this.#downloader.onConnected();
  }

  #resumeDownload(): void {
    this.#setPhase("downloading");
    this.#reportState();
    this.#downloader.resume();
  }

  #onProgress(offset: number): void {
    const update = this.#update;
    if (!update) return;
    const progress = Math.floor((offset * 100) / update.offer.release.sizeBytes);
    // Every tenth is reported, not every chunk: the link is for alarms first.
    if (Math.floor(progress / 10) !== Math.floor(update.progress / 10)) {
      update.progress = progress;
      this.#reportState();
    } else {
      update.progress = progress;
    }
  }

  /** Hashes the image as the slot holds it, a slice per tick, and compares it with the signed SHA-256. */
  #hashSlot(): void {
    const update = this.#update!;
    const release = update.offer.release;
    this.#setPhase("hashing");
    const { platform, timers } = this.#options;
    const hasher = platform.sha256();
    hasher.reset();
    const buffer = new Uint8Array(update.offer.chunkBytes);
    let offset = 0;
    const slice = () => {
      this.#timer = undefined;
      if (this.#update !== update) return;
      try {
        for (let budget = HASH_BYTES_PER_TICK; budget > 0 && offset < release.sizeBytes; budget -= buffer.length) {
          const length = Math.min(buffer.length, release.sizeBytes - offset);
          platform.slot.read(buffer, offset, length);
          hasher.update(buffer, 0, length);
          offset += length;
        }
      } catch (error) {
        return this.#fail(`could not read the update partition back: ${(error as Error).message}`);
      }
      if (offset < release.sizeBytes) {
        this.#timer = timers.set(slice, 0);
        return;
      }
      const digest = hasher.digest(new Uint8Array(32));
      if (!sameBytes(digest, hexToBytes(release.sha256))) {
        return this.#fail(`SHA-256 of the image in flash is ${bytesToHex(digest).slice(0, 16)}…, the signed release says ${release.sha256.slice(0, 16)}…: not switched`);
      }
      this.#setPhase("verified");
      this.#reportState();
      this.#whenFree(() => this.#apply());
    };
    this.#timer = timers.set(slice, 0);
  }

  #apply(): void {
    const update = this.#update!;
    const release = update.offer.release;
    const { platform, runningVersion, log, timers } = this.#options;
    this.#setPhase("applying");
    const entry: OtaJournalEntry = { phase: "applying", campaign: update.offer.campaign, version: release.version, sha256: release.sha256, from: runningVersion };
    this.#journal.save(entry);
    try {
      platform.slot.activate();
    } catch (error) {
      this.#journal.clear();
      return this.#fail(`the update partition refused the image: ${(error as Error).message}`);
    }
    this.#journal.save({ ...entry, phase: "applied" });
    log("info", `switched to ${release.version}; restarting`);
    let restarted = false;
    const restart = () => {
      if (restarted) return;
      restarted = true;
      this.stop();
      this.#options.restart();
    };
    this.#reporter.send({ campaign: update.offer.campaign, state: "applied", version: release.version }, restart);
    this.#timer = timers.set(restart, RESTART_GRACE_MS);
  }

  /** The first boot of a new image: it stays only if it connects, is heard and keeps healthy long enough. */
  #startTrial(entry: OtaJournalEntry | null): void {
    const { clock, timers, config, runningVersion, platform, log } = this.#options;
    this.#setPhase("trial");
    const campaign = entry?.campaign ?? null;
    const startedMs = clock.now();
    let healthySinceMs = -1;
    let heard = false;
    log("info", `running ${runningVersion} on trial: it must be healthy for ${config.healthStableMs} ms within ${config.healthWindowMs} ms`);
    this.#reporter.send({ campaign, state: "applied", version: runningVersion, reason: "new image running; confirming its health" }, () => {
      heard = true;
    });
    this.#trialTimer = timers.repeat(() => {
      const now = clock.now();
      const healthy = this.#connected && this.#options.healthy();
      if (!healthy) healthySinceMs = -1;
      else if (healthySinceMs < 0) healthySinceMs = now;
      if (heard && healthySinceMs >= 0 && now - healthySinceMs >= config.healthStableMs) {
        timers.clear(this.#trialTimer);
        platform.boot.markValid();
        this.#bootState = "valid";
        if (entry) this.#journal.save({ ...entry, phase: "confirmed" });
        this.#setPhase("idle");
        log("info", `${runningVersion} confirmed healthy; the previous image is no longer needed`);
        this.#reporter.send({ campaign, state: "healthy", version: runningVersion }, () => this.#journal.clear());
        return;
      }
      if (now - startedMs < config.healthWindowMs) return;
      timers.clear(this.#trialTimer);
      const why = !this.#connected ? "it never stayed connected to the broker" : !heard ? "its reports were never acknowledged" : "the node did not stay healthy";
      const reason = `${runningVersion} was not healthy within ${Math.round(config.healthWindowMs / 1000)} s (${why}); rolled back`;
      if (entry) this.#journal.save({ ...entry, rollbackReason: reason });
      log("error", reason);
      this.stop();
      platform.boot.rollback();
    }, TRIAL_CHECK_MS);
  }

  #cancel(campaign: string): void {
    const update = this.#update;
    if (!update || update.offer.campaign !== campaign || this.#phase === "applying") return;
    this.#fail("cancelled by the operator");
  }

  /** Runs `next` now if the node is free, else reports "deferred" and looks again every busyRetryMs. */
  #whenFree(next: () => void): void {
    const reason = this.#options.busy();
    if (!reason) {
      this.#deferredReason = null;
      next();
      return;
    }
    this.#defer(reason, next);
  }

  #defer(reason: string, next: () => void): void {
    const update = this.#update;
    if (!update) return;
    if (this.#phase !== "deferred" || this.#deferredReason !== reason) {
      this.#setPhase("deferred");
      this.#deferredReason = reason;
      this.#options.log("info", `update to ${update.offer.release.version} waits: ${reason}`);
      this.#reporter.send({ campaign: update.offer.campaign, state: "deferred", version: update.offer.release.version, progress: update.progress, reason });
    }
    this.#clearTimer();
    this.#timer = this.#options.timers.set(() => {
      this.#timer = undefined;
      if (this.#update === update) this.#whenFree(next);
    }, this.#options.config.busyRetryMs);
  }

  #fail(reason: string): void {
    const update = this.#update;
    this.#clearTimer();
    if (this.#downloader.active) this.#downloader.cancel();
    this.#update = undefined;
    this.#setPhase("idle");
    this.#lastFailure = reason;
    this.#options.log("warn", `update failed: ${reason}`);
    if (update) this.#reporter.send({ campaign: update.offer.campaign, state: "failed", version: update.offer.release.version, reason });
  }

  #reportState(): void {
    const update = this.#update;
    if (!update) return;
    const phase = this.#phase;
    const state: OtaState =
            phase === "downloading" || phase === "hashing"
        ? "downloading"
        : phase === "verified"
          ? "verified"
          : phase === "applying"
            ? "applied"
            : phase === "deferred"
              ? "deferred"
              : "offered";
    this.#reporter.send({
      campaign: update.offer.campaign,
      state,
      version: update.offer.release.version,
      progress: update.progress,
      reason: phase === "deferred" ? (this.#deferredReason ?? undefined) : undefined,
    });
  }

  #setPhase(phase: Phase): void {
    this.#phase = phase;
  }

  #clearTimer(): void {
    this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
