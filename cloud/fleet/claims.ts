import {
  decodeClaimRequest,
  isBatchId,
  isSerial,
  xorHex,
  type ClaimRefusal,
  type ClaimRequest,
  type ClaimResponse,
} from "../../shared/claim";
import { claimTopic, parseClaimRequestTopic } from "../../shared/topics";
import type { Db } from "../db/client";
import type { Logger } from "../log";
import type { BrokerAccounts } from "./broker-accounts";
import { hashSecret, newSecret } from "./credentials";
import {
  ensureNodeRow,
  findBatch,
  findDevice,
  insertDeviceWithinBatch,
  nodeHeardSince,
  reissueDevice,
  serialInBatch,
  type Batch,
  type Device,
} from "./queries";

export interface ClaimDeps {
  db: Db;
  accounts: BrokerAccounts;
  log: Logger;
  now: () => number;
}

export interface ClaimAnswer {
  topic: string;
  answer: ClaimResponse;
}

/** A claimed node's id is its serial: stable across factory resets, and printed on its label. */
export function nodeIdForSerial(serial: string): string {
  return serial;
}

/**
 * Decides one claim request and issues credentials when it is granted. The batch comes from the
 * topic, which the broker lets only that batch's claim credential publish to. Returns the answer
 * to publish, or null when the topic names no serial to answer.
 *
 * A serial is claimed once. The same request again (same pad: the node's retry after a lost
 * answer, before it has come online) gets fresh credentials; any other claim of a claimed serial is refused until staff
 * release it (`shouwang release <serial>`, after a factory reset). A revoked serial never claims again.
 */
export async function decideClaim(deps: ClaimDeps, topic: string, text: string): Promise<ClaimAnswer | null> {
  const route = parseClaimRequestTopic(topic);
  if (!route || !isSerial(route.serial) || !isBatchId(route.batchId)) return null;
  const answerTopic = claimTopic(route.batchId, route.serial, "resp");
  const refuse = (reason: ClaimRefusal, message: string): ClaimAnswer => {
    deps.log("warn", "claim refused", { serial: route.serial, batch: route.batchId, reason });
    return { topic: answerTopic, answer: { v: 1, ok: false, serial: route.serial, reason, message } };
  };

  const decoded = decodeClaimRequest(topic, text);
  if (!decoded.ok) return refuse("malformed-request", decoded.detail);
  const request = decoded.value;
  const batch = await findBatch(deps.db, request.batch);
  if (!batch) return refuse("unknown-batch", `batch ${request.batch} is not known to this cloud`);
  if (batch.kind !== request.kind || batch.board !== request.board) {
    return refuse(
      "batch-mismatch",
      `batch ${batch.id} is for ${batch.kind} nodes on ${batch.board}, but this is a ${request.kind} node on ${request.board}: flash it with its batch's build`,
    );
  }

  const padHash = hashSecret(request.pad);
  const known = await findDevice(deps.db, request.serial);
  if (known) return claimKnown(deps, known, batch, request, padHash, refuse);

  const now = deps.now();
  if (now >= batch.expiresAt) return refuse("batch-expired", `batch ${batch.id} expired on ${new Date(batch.expiresAt).toISOString()}`);
  if (batch.maxDevices === null && !(await serialInBatch(deps.db, batch.id, request.serial))) {
    return refuse("serial-not-in-batch", `serial ${request.serial} is not on batch ${batch.id}'s list`);
  }
  const password = newSecret();
  const inserted = await insertDeviceWithinBatch(
    deps.db,
    {
      serial: request.serial,
      nodeId: nodeIdForSerial(request.serial),
      batchId: batch.id,
      kind: request.kind,
      board: request.board,
      credentialHash: hashSecret(password),
      claimPadHash: padHash,
      firmware: request.firmware,
      claimedAt: now,
    },
    batch.maxDevices,
  );
  if (!inserted) {
    // Either the batch is used up, or a copy of this very request got there first.
    const raced = await findDevice(deps.db, request.serial);
    if (raced) return claimKnown(deps, raced, batch, request, padHash, refuse);
    return refuse("batch-used-up", `batch ${batch.id} has claimed all ${batch.maxDevices} of its devices`);
  }
  await ensureNodeRow(deps.db, nodeIdForSerial(request.serial), now);
  return register(deps, request, password, answerTopic, refuse);
}

async function claimKnown(
  deps: ClaimDeps,
  device: Device,
  batch: Batch,
  request: ClaimRequest,
  padHash: string,
  refuse: (reason: ClaimRefusal, message: string) => ClaimAnswer,
): Promise<ClaimAnswer> {
  if (device.status === "revoked") return refuse("revoked", `device ${device.serial} was revoked and cannot claim again`);
  if (device.batchId !== batch.id) {
    return refuse("already-claimed", `device ${device.serial} belongs to batch ${device.batchId}; it claims again only with that batch's build`);
  }
  // The same pad is the node asking again after a lost answer, but only until it has come online
  // with what it was given: a stale copy of the request (a broker redelivery) must not change the
  // password of a node that is already using it.
  const retry = device.status === "claimed" && device.claimPadHash === padHash && !(await nodeHeardSince(deps.db, device.nodeId, device.claimedAt));
  if (device.status === "claimed" && !retry) {
    return refuse(
      "already-claimed",
      `device ${device.serial} is already claimed; if it was factory-reset, staff release it first (npx shouwang release ${device.serial})`,
    );
  }
  const password = newSecret();
  const now = deps.now();
  await reissueDevice(deps.db, device.serial, { credentialHash: hashSecret(password), claimPadHash: padHash, firmware: request.firmware, claimedAt: now });
  await ensureNodeRow(deps.db, device.nodeId, now);
  return register(deps, request, password, claimTopic(batch.id, device.serial, "resp"), refuse);
}

async function register(
  deps: ClaimDeps,
  request: ClaimRequest,
  password: string,
  answerTopic: string,
  refuse: (reason: ClaimRefusal, message: string) => ClaimAnswer,
): Promise<ClaimAnswer> {
  const nodeId = nodeIdForSerial(request.serial);
  try {
    await deps.accounts.registerNode(nodeId, hashSecret(password));
  } catch (error) {
    // The device row keeps this request's pad, so the node's retry is recognised and re-issued.
    deps.log("error", "could not register a claimed device with the broker", { serial: request.serial, error: (error as Error).message });
    return refuse("unavailable", "the cloud could not register this device with the broker; the node will ask again");
  }
  deps.log("info", "device claimed", { serial: request.serial, batch: request.batch, kind: request.kind });
  return { topic: answerTopic, answer: { v: 1, ok: true, serial: request.serial, nodeId, username: nodeId, sealedPassword: xorHex(password, request.pad) } };
}
