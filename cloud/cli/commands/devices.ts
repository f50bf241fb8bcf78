import { parseArgs } from "node:util";
import { deviceRows, installDevice, releaseDevice, revokeDevice, type DeviceRow, type DeviceState } from "../../fleet/devices";
import { FleetError } from "../../fleet/fleet-error";
import type { CliContext } from "../context";
import { Progress } from "../progress";
import { table } from "../table";

const STATES: readonly DeviceState[] = ["pending", "claimed", "online", "released", "revoked"];

/** `devices [--batch <id>] [--state <state>]`: pending and claimed devices. */
export async function devicesCommand(context: CliContext, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { batch: { type: "string" }, state: { type: "string" } } });
  if (values.state !== undefined && !STATES.includes(values.state as DeviceState)) throw new FleetError(`--state must be one of ${STATES.join(", ")}`);
  const rows = (await deviceRows(await context.db(), values.batch)).filter((row) => !values.state || row.state === values.state);
  if (!rows.length) {
    context.io.out("No devices match.");
    return;
  }
  context.io.out(table(["serial", "state", "kind", "board", "batch", "place"], rows.map(cells)));
  const counts = STATES.map((state) => [state, rows.filter((row) => row.state === state).length] as const).filter(([, n]) => n > 0);
  context.io.out(`\n${counts.map(([state, n]) => `${n} ${state}`).join(", ")}`);
}

/** `revoke <device>…` and `release <device>…`, with a progress bar when there are many. */
export async function accountCommand(context: CliContext, action: "revoke" | "release", references: string[]): Promise<void> {
  if (!references.length) throw new FleetError(`${action} needs at least one serial or label`);
  const fleet = await context.fleet();
  const progress = references.length > 1 ? new Progress(context.io.progress, action === "revoke" ? "revoking" : "releasing", references.length) : undefined;
  const done: DeviceRow[] = [];
  for (const reference of references) {
    done.push(action === "revoke" ? await revokeDevice(fleet, reference) : await releaseDevice(fleet, reference));
    progress?.tick();
  }
  progress?.finish();
  for (const row of done) {
    context.io.out(
      action === "revoke"
        ? `${row.serial}: revoked; the broker has cut it off and it can never claim again`
        : `${row.serial}: released; its old credentials are gone and it may claim again (factory-reset it if it has not been)`,
    );
  }
}

/** `install <device> <place>`: a claimed device, by serial or scanned label, into its place. */
export async function installCommand(context: CliContext, args: string[]): Promise<void> {
  const [reference, placeId] = args;
  if (!reference || !placeId) throw new FleetError("install needs a device (serial or label) and a place id");
  const row = await installDevice(await context.db(), reference, placeId);
  context.io.out(`${row.serial} (${row.kind}) is installed at ${row.placePath}`);
}

function cells(row: DeviceRow): string[] {
  return [row.serial, row.state, row.kind, row.board, row.batch, row.placePath ?? ""];
}
