import type { NodeKind } from "../../shared/node-kinds";
import type { Db } from "../db/client";
import { findPlace } from "../places/queries";
import type { FleetDeps } from "./batches";
import { FleetError } from "./fleet-error";
import { INSTALL_LEVELS } from "./install-levels";
import { serialFromReference } from "./labels";
import {
  batchSerialList,
  findBatch,
  findDevice,
  findDeviceView,
  listDevices,
  markNodeOffline,
  setDeviceStatus,
  setNodePlace,
  type Device,
  type DeviceView,
} from "./queries";

/** What a person sees of a device: pending (listed, not claimed yet), claimed, released, revoked. */
export type DeviceState = "pending" | "claimed" | "online" | "released" | "revoked";

export interface DeviceRow {
  serial: string;
  nodeId: string | null;
  batch: string;
  kind: NodeKind;
  board: string;
  state: DeviceState;
  placeId: string | null;
  placePath: string | null;
  claimedAt: number | null;
}

function rowOf(device: DeviceView): DeviceRow {
  const state: DeviceState = device.status === "claimed" ? (device.online ? "online" : "claimed") : device.status;
  return {
    serial: device.serial,
    nodeId: device.nodeId,
    batch: device.batchId,
    kind: device.kind,
    board: device.board,
    state,
    placeId: device.placeId,
    placePath: device.placePath,
    claimedAt: device.claimedAt,
  };
}

/**
 * Every device of a batch (or of every batch): those that claimed, and, for a batch that lists
 * its serials, the ones still pending.
 */
export async function deviceRows(db: Db, batchId?: string): Promise<DeviceRow[]> {
  const claimed = (await listDevices(db, batchId)).map(rowOf);
  if (!batchId) return claimed;
  const batch = await findBatch(db, batchId);
  if (!batch) throw new FleetError(`no batch ${batchId}`, 404);
  const seen = new Set(claimed.map((row) => row.serial));
  const pending: DeviceRow[] = (await batchSerialList(db, batchId))
    .filter((serial) => !seen.has(serial))
    .map((serial) => ({ serial, nodeId: null, batch: batchId, kind: batch.kind, board: batch.board, state: "pending", placeId: null, placePath: null, claimedAt: null }));
  return [...claimed, ...pending].sort((a, b) => a.serial.localeCompare(b.serial));
}

export async function deviceRow(db: Db, reference: string): Promise<DeviceRow> {
  const serial = serialFromReference(reference);
  const device = await findDeviceView(db, serial);
  if (!device) throw new FleetError(`no device ${serial} has claimed an identity`, 404);
  return rowOf(device);
}

async function claimedDevice(db: Db, reference: string): Promise<Device> {
  const serial = serialFromReference(reference);
  const device = await findDevice(db, serial);
  if (!device) throw new FleetError(`no device ${serial} has claimed an identity`, 404);
  return device;
}

/**
 * Revokes a device for good: its broker account is deleted first (the broker disconnects it at
 * once and refuses it from then on), then the cloud marks it revoked, so it can never claim again.
 */
export async function revokeDevice(deps: FleetDeps, reference: string): Promise<DeviceRow> {
  const device = await claimedDevice(deps.db, reference);
  if (device.status !== "revoked") {
    await brokerStep(async () => {
      await deps.accounts.removeNode(device.nodeId);
      await deps.accounts.closeClaim(device.serial);
    }, "revoked");
    await setDeviceStatus(deps.db, device.serial, "revoked", deps.now());
    await markNodeOffline(deps.db, device.nodeId);
  }
  return deviceRow(deps.db, device.serial);
}

/**
 * Lets a factory-reset device claim again: its old credentials are deleted from the broker, its
 * serial's claim identity is opened again (until its batch expires, and for at least
 * RECLAIM_WINDOW_MS: a device released long after its batch was flashed still needs a way back),
 * and its next claim (through its own batch) gets new ones under the same node id and place.
 */
export async function releaseDevice(deps: FleetDeps, reference: string): Promise<DeviceRow> {
  const device = await claimedDevice(deps.db, reference);
  if (device.status === "revoked") throw new FleetError(`device ${device.serial} is revoked; it cannot be released`, 409);
  if (device.status === "claimed") {
    const batch = await findBatch(deps.db, device.batchId);
    if (!batch) throw new FleetError(`device ${device.serial}'s batch ${device.batchId} is gone; it cannot claim again`, 409);
    const until = Math.max(batch.expiresAt, deps.now() + RECLAIM_WINDOW_MS);
    await brokerStep(async () => {
      await deps.accounts.removeNode(device.nodeId);
      await deps.accounts.openClaims(batch.id, [device.serial], batch.claimSecretHash, until);
    }, "released");
    await setDeviceStatus(deps.db, device.serial, "released", deps.now());
    await markNodeOffline(deps.db, device.nodeId);
  }
  return deviceRow(deps.db, device.serial);
}

const RECLAIM_WINDOW_MS = 7 * 86_400_000;

export { INSTALL_LEVELS };

/** Assigns a claimed device, named by serial or by its scanned label, to a place. */
export async function installDevice(db: Db, reference: string, placeId: string): Promise<DeviceRow> {
  const device = await claimedDevice(db, reference);
  if (device.status !== "claimed") throw new FleetError(`device ${device.serial} is ${device.status}; only a claimed device can be installed`, 409);
  const place = await findPlace(db, placeId);
  if (!place) throw new FleetError(`no place ${placeId}`, 404);
  const levels = INSTALL_LEVELS[device.kind];
  if (!levels.includes(place.level)) {
    throw new FleetError(`a ${device.kind} node goes on a ${levels.join(" or ")}, and ${place.id} (${place.name}) is a ${place.level}`, 422);
  }
  await setNodePlace(db, device.nodeId, place.id);
  return deviceRow(db, device.serial);
}

async function brokerStep(step: () => Promise<void>, what: string): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new FleetError(`the broker could not be told, so the device was not ${what}: ${(error as Error).message}`, 503);
  }
}
