import type { Batch } from "../../fleet/queries";
import type { DeviceRow } from "../../fleet/devices";
import { request } from "./api";

/** A batch as the server shows it: never its claim secret's hash. */
export type BatchRow = Omit<Batch, "claimSecretHash"> & { claimed: number; allowedSerials: number; expired: boolean };
export type { DeviceRow };

/** The fleet's calls (admins only): batches and their devices; looking a device up and installing it are in api.ts. */
export const fleetApi = {
  batches: () => request<{ batches: BatchRow[] }>("GET", "/api/fleet/batches"),
  batchDevices: (batch: string) => request<{ devices: DeviceRow[] }>("GET", `/api/fleet/batches/${encodeURIComponent(batch)}/devices`),
};
