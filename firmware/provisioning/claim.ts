import {
  claimClientId,
  claimUsername,
  decodeClaimResponse,
  encodeClaimRequest,
  SECRET_HEX_LENGTH,
  toHex,
  xorHex,
  type ClaimRefusal,
} from "../../shared/claim";
import type { NodeKind } from "../../shared/node-kinds";
import { claimTopic } from "../../shared/topics";
import type { TimerHandle, Timers } from "../ports/clock";
import type { Entropy } from "../ports/entropy";
import type { Log } from "../ports/log";
import type { MqttSession } from "../ports/mqtt";
import type { KeyValueStore } from "../ports/storage";
import { CLAIM_PAD, saveIdentity, type NodeIdentity } from "./identity";

/** What a blank node is built with (`mcconfig … claim_batch=… claim_secret=…`) and knows of itself. */
export interface ClaimSettings {
  batch: string;
  /** The batch's claim secret: the password of the batch's broker account. */
  secret: string;
  /** The chip's MAC as 12 hex digits. */
  serial: string;
  board: string;
  kind: NodeKind;
  firmwareVersion: string;
  keepAliveMs: number;
}

export interface ClaimerOptions {
  mqtt: MqttSession;
  timers: Timers;
  log: Log;
  storage: KeyValueStore;
  entropy: Entropy;
  /** 0 … 1, for backoff jitter. */
  random: () => number;
  settings: ClaimSettings;
  onClaimed: (identity: NodeIdentity) => void;
}

export type ClaimState = "connecting" | "waiting" | "retrying" | "claimed" | "closed";

/** How long the node waits for the cloud's answer before it asks again. */
export const ANSWER_TIMEOUT_MS = 30_000;
const FIRST_RETRY_MS = 5000;
const MAX_RETRY_MS = 5 * 60_000;
/** A refusal needs a person (a batch extended, a serial added, a device released): ask rarely. */
const REFUSED_RETRY_MS = 10 * 60_000;
const REVOKED_RETRY_MS = 60 * 60_000;

/**
 * Claims an identity for a blank node: connects with the batch's claim credential, asks on its
 * own provisioning topic, and stores the answer in flash. Every refusal is logged with the
 * cloud's reason; a connection the broker refuses (a wrong claim secret) is logged with the
 * broker's. It keeps asking, with backoff, until it has an identity or is closed.
 */
export class Claimer {
  #options: ClaimerOptions;
  #state: ClaimState = "connecting";
  #retryMs = FIRST_RETRY_MS;
  #timer: TimerHandle | undefined;
  #lastRefusal: ClaimRefusal | null = null;
  #attempts = 0;
  #connected = false;

  constructor(options: ClaimerOptions) {
    this.#options = options;
  }

  get state(): ClaimState {
    return this.#state;
  }

  get lastRefusal(): ClaimRefusal | null {
    return this.#lastRefusal;
  }

  get attempts(): number {
    return this.#attempts;
  }

  start(): void {
    const { mqtt } = this.#options;
    mqtt.onConnected = () => this.#onConnected();
    mqtt.onPublished = () => {};
    mqtt.onMessage = (topic, payload) => this.#onMessage(topic, payload);
    mqtt.onDisconnected = (reason) => this.#onDisconnected(reason);
    this.#attempt();
  }

  close(): void {
    if (this.#state === "closed") return;
    const wasConnected = this.#state === "connecting" || this.#state === "waiting";
    this.#state = "closed";
    this.#options.timers.clear(this.#timer);
    if (wasConnected) this.#options.mqtt.close();
  }

  #attempt(): void {
    const { mqtt, settings, log } = this.#options;
    this.#state = "connecting";
    this.#connected = false;
    this.#attempts++;
    log("info", `claiming an identity: serial ${settings.serial}, batch ${settings.batch}, ${settings.kind} node on ${settings.board}`);
    mqtt.connect({
      clientId: claimClientId(settings.serial),
      username: claimUsername(settings.batch),
      password: settings.secret,
      keepAliveMs: settings.keepAliveMs,
    });
    this.#timer = this.#options.timers.set(() => this.#giveUp("no answer from the cloud"), ANSWER_TIMEOUT_MS);
  }

  #onConnected(): void {
    if (this.#state !== "connecting") return;
    const { mqtt, settings } = this.#options;
    this.#connected = true;
    this.#state = "waiting";
    // The subscription is in place before the request: the broker handles one client's packets in order.
    mqtt.subscribe(claimTopic(settings.batch, settings.serial, "resp"));
    const request = encodeClaimRequest({
      v: 1,
      serial: settings.serial,
      batch: settings.batch,
      board: settings.board,
      kind: settings.kind,
      firmware: settings.firmwareVersion,
      pad: this.#pad(),
    });
    mqtt.publish(claimTopic(settings.batch, settings.serial, "req"), request, 1);
  }

  #onMessage(topic: string, payload: string): void {
    const { settings, log, storage } = this.#options;
    if (this.#state !== "waiting" || topic !== claimTopic(settings.batch, settings.serial, "resp")) return;
    const decoded = decodeClaimResponse(payload);
    if (!decoded.ok) {
      log("warn", `claim: ignored an answer that is not valid (${decoded.detail})`);
      return;
    }
    const answer = decoded.value;
    if (answer.serial !== settings.serial) return;
    this.#options.timers.clear(this.#timer);
    // Answered either way: the claim connection has done its job.
    this.#state = answer.ok ? "claimed" : "retrying";
    this.#options.mqtt.close();
    if (answer.ok) {
      const pad = storage.get(CLAIM_PAD);
      if (!pad) {
        this.#retry("the claim pad vanished from flash before the answer came", FIRST_RETRY_MS);
        return;
      }
      const identity: NodeIdentity = { nodeId: answer.nodeId, username: answer.username, password: xorHex(answer.sealedPassword, pad) };
      try {
        saveIdentity(storage, identity);
        storage.delete(CLAIM_PAD);
      } catch (error) {
        // The pad stays, so asking again with it gets fresh credentials.
        this.#state = "retrying";
        this.#retry(`claim: could not store the identity in flash (${String(error)})`, this.#backoff());
        return;
      }
      this.#lastRefusal = null;
      log("info", `claimed: this node is ${identity.nodeId}`);
      this.#options.onClaimed(identity);
      return;
    }
    this.#lastRefusal = answer.reason;
    log("error", `claim refused (${answer.reason}): ${answer.message}`);
    const waitMs = answer.reason === "unavailable" ? this.#backoff() : answer.reason === "revoked" ? REVOKED_RETRY_MS : REFUSED_RETRY_MS;
    this.#retry(null, waitMs);
  }

  #onDisconnected(reason: string): void {
    if (this.#state !== "connecting" && this.#state !== "waiting") return;
    this.#options.timers.clear(this.#timer);
    const hint = this.#connected ? "" : " (the broker turned the batch credential down or is out of reach: check claim_batch, claim_secret and mqtt_host)";
    this.#retry(`claim connection lost: ${reason}${hint}`, this.#backoff());
  }

  #giveUp(why: string): void {
    if (this.#state !== "connecting" && this.#state !== "waiting") return;
    this.#options.mqtt.close();
    this.#retry(`claim: ${why}`, this.#backoff());
  }

  #retry(problem: string | null, waitMs: number): void {
    this.#state = "retrying";
    const delayMs = Math.floor(waitMs * (0.5 + 0.5 * this.#options.random()));
    if (problem) this.#options.log("warn", `${problem}; trying again in ${delayMs} ms`);
    else this.#options.log("info", `asking again in ${delayMs} ms`);
    this.#timer = this.#options.timers.set(() => this.#attempt(), delayMs);
  }

  #backoff(): number {
    const waitMs = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
    return waitMs;
  }

  /** The pad of this claim: the one in flash if an earlier attempt was not answered, else a fresh one. */
  #pad(): string {
    const { storage, entropy } = this.#options;
    const kept = storage.get(CLAIM_PAD);
    if (kept && kept.length === SECRET_HEX_LENGTH) return kept;
    const bytes = new Uint8Array(SECRET_HEX_LENGTH / 2);
    entropy.fill(bytes);
    const pad = toHex(bytes);
    storage.set(CLAIM_PAD, pad);
    return pad;
  }
}
