import { randomBytes } from "node:crypto";
import { BATCH_ID_PATTERN, isBatchId, serialFromMac } from "../../shared/claim";
import { isNodeKind, NODE_KINDS } from "../../shared/node-kinds";
import { BOARDS } from "../../hardware/boards";
import { NODE_KIND_DEFINITIONS } from "../../hardware/kinds";
import { checkBoard } from "../../hardware/validate";
import type { Db } from "../db/client";
import type { BrokerAccounts } from "./broker-accounts";
import { hashSecret, newSecret, secretMatches } from "./credentials";
import { FleetError } from "./fleet-error";
import { deleteBatch, findBatch, insertBatch, insertBatchSerials, type Batch } from "./queries";

export interface BatchSpec {
  kind: string;
  board: string;
  /**
   * The serials (MACs in any usual notation) the batch is made for, and only those may claim
   * through it: a batch open to any serial let anyone holding its secret mint identities until
   * it was used up (issue 12).
   */
  serials: readonly string[];
  expiresAt: number;
  id?: string;
  note?: string;
}

export interface FleetDeps {
  db: Db;
  accounts: BrokerAccounts;
  now: () => number;
}

const MAX_BATCH_DEVICES = 100_000;

/**
 * Creates a batch: checks the board can carry the kind, stores the batch with the hash of a new
 * claim secret, and opens a claim identity with the broker for each of its serials. Returns the secret in
 * clear; it is not kept. `progress` is told how many serials are stored, for long lists.
 */
export async function createBatch(deps: FleetDeps, spec: BatchSpec, progress?: (done: number, total: number) => void): Promise<{ batch: Batch; secret: string }> {
  if (!isNodeKind(spec.kind)) throw new FleetError(`kind must be one of ${NODE_KINDS.join(", ")}`);
  const board = BOARDS[spec.board];
  if (!board) throw new FleetError(`board must be one of ${Object.keys(BOARDS).join(", ")}`);
  const { errors } = checkBoard(board, { kinds: [NODE_KIND_DEFINITIONS[spec.kind]] });
  if (errors.length) throw new FleetError(`the ${board.id} definition cannot carry a ${spec.kind} node:\n  ${errors.join("\n  ")}`, 422);
  if (!Array.isArray(spec.serials)) throw new FleetError("give the list of serials (chip MACs) the batch is made for");
  const serials = normaliseSerials(spec.serials);
  const now = deps.now();
  if (!(spec.expiresAt > now)) throw new FleetError("the batch must expire in the future");
  const id = spec.id ?? generatedBatchId(now);
  if (!isBatchId(id)) throw new FleetError(`batch id must match ${BATCH_ID_PATTERN}`);
  if (await findBatch(deps.db, id)) throw new FleetError(`batch ${id} exists already`, 409);

  const secret = newSecret();
  await insertBatch(deps.db, {
    id,
    kind: spec.kind,
    board: board.id,
    // A list, never a count (the column remains for batches made before issue 12).
    maxDevices: null,
    claimSecretHash: hashSecret(secret),
    expiresAt: spec.expiresAt,
    note: spec.note ?? null,
    createdAt: now,
  });
  try {
    await insertBatchSerials(deps.db, id, serials, (done) => progress?.(done, serials.length));
    await deps.accounts.openClaims(id, serials, hashSecret(secret), spec.expiresAt);
  } catch (error) {
    await deleteBatch(deps.db, id);
    throw new FleetError(`batch ${id} was not created: ${(error as Error).message}`, 503);
  }
  return { batch: (await findBatch(deps.db, id))!, secret };
}

/** Checks a claim secret against the batch's stored hash, so a typo is caught before boards are flashed. */
export function claimSecretMatches(batch: Batch, secret: string): boolean {
  return secretMatches(secret, batch.claimSecretHash);
}

export interface FlashCommandOptions {
  mqttHost: string;
  mqttPort: number;
  /** The claim secret; without it the command reads it from $SW_CLAIM_SECRET. */
  secret?: string;
  firmware?: string;
}

/**
 * The exact command that builds the firmware for a batch's board and kind and flashes it to the
 * board on UPLOAD_PORT (Moddable's `mcconfig -m`). Wi-Fi settings come from the shell, so they
 * never sit in the cloud.
 */
export function flashCommand(batch: Batch, options: FlashCommandOptions): string {
  const board = BOARDS[batch.board];
  const secret = options.secret ?? "$SW_CLAIM_SECRET";
  return [
    // The kind's manifest sets its kind and its XS creation sizes together (firmware/kinds/).
    `mcconfig -m -p ${board.platform} ./firmware/kinds/${batch.kind}/manifest.json`,
    `claim_batch=${batch.id}`,
    `claim_secret="${secret}"`,
    `mqtt_host=${options.mqttHost}`,
    `mqtt_port=${options.mqttPort}`,
    ...(options.firmware ? [`firmware=${options.firmware}`] : []),
    `ssid="$WIFI_SSID"`,
    `password="$WIFI_PASSWORD"`,
  ].join(" ");
}

function normaliseSerials(list: readonly string[]): string[] {
  const serials = new Set<string>();
  for (const [index, text] of list.entries()) {
    const serial = serialFromMac(text.trim());
    if (!serial) throw new FleetError(`serial #${index + 1} "${text.slice(0, 40)}" is not a MAC address (12 hex digits)`);
    serials.add(serial);
  }
  if (serials.size === 0) throw new FleetError("the serial list is empty");
  if (serials.size > MAX_BATCH_DEVICES) throw new FleetError(`a batch lists at most ${MAX_BATCH_DEVICES} serials`);
  return [...serials].sort();
}

/** `b20261125-k3x9`: the day it was made and four random characters. */
function generatedBatchId(now: number): string {
  const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, "");
  const suffix = [...randomBytes(4)].map((byte) => "abcdefghijkmnpqrstuvwxyz23456789"[byte % 32]).join("");
  return `b${day}-${suffix}`;
}
