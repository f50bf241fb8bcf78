import { parseArgs } from "node:util";
import { claimSecretMatches, createBatch, flashCommand } from "../../fleet/batches";
import { deviceRows } from "../../fleet/devices";
import { FleetError } from "../../fleet/fleet-error";
import { labelsCsv } from "../../fleet/labels";
import { findBatch, listBatches } from "../../fleet/queries";
import type { CliContext } from "../context";
import { Progress } from "../progress";
import { table } from "../table";

const DAY_MS = 86_400_000;

export async function batchCommand(context: CliContext, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "create":
      return create(context, rest);
    case "list":
      return list(context);
    case "flash-command":
      return printFlashCommand(context, rest);
    case "labels":
      return labels(context, rest);
    default:
      throw new FleetError(`batch ${sub ?? ""}: expected create, list, flash-command or labels (see shouwang help)`);
  }
}

async function create(context: CliContext, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      kind: { type: "string" },
      board: { type: "string" },
      count: { type: "string" },
      serials: { type: "string" },
      serial: { type: "string", multiple: true },
      expires: { type: "string", default: "30d" },
      id: { type: "string" },
      note: { type: "string" },
      "mqtt-host": { type: "string" },
      "mqtt-port": { type: "string" },
    },
  });
  if (!values.kind || !values.board) throw new FleetError("batch create needs --kind and --board");
  const serials = [...(values.serials ? serialsFromFile(context, values.serials) : []), ...(values.serial ?? [])];
  if (values.count !== undefined) {
    throw new FleetError("a batch lists the serials it is made for (--serials <file> or --serial <mac>); --count is gone, since anyone holding a count batch's secret could claim with made-up serials until it was used up");
  }
  if (!serials.length) throw new FleetError("give the serials the batch is made for, with --serials <file> or --serial <mac>");
  const now = context.io.now();
  const fleet = await context.fleet();
  let progress: Progress | undefined;
  const { batch, secret } = await createBatch(
    fleet,
    {
      id: values.id,
      kind: values.kind,
      board: values.board,
      serials,
      expiresAt: expiryOf(values.expires!, now),
      note: values.note,
    },
    (done, total) => {
      progress ??= new Progress(context.io.progress, "storing serials", total);
      progress.update(done);
    },
  );
  progress?.finish();
  const size = batch.maxDevices === null ? `${serials.length} listed` : `${batch.maxDevices}`;
  context.io.out(
    [
      `Batch ${batch.id}: ${size} ${batch.kind} nodes on ${batch.board}, first claims until ${new Date(batch.expiresAt).toISOString()}.`,
      "",
      "Claim secret (shown once; the cloud keeps only its hash):",
      `  ${secret}`,
      "",
      "Build and flash each board (set WIFI_SSID and WIFI_PASSWORD for the site's network):",
      `  export SW_CLAIM_SECRET=${secret}`,
      `  ${flashCommand(batch, mqttTarget(context, values["mqtt-host"], values["mqtt-port"]))}`,
    ].join("\n"),
  );
}

async function list(context: CliContext): Promise<void> {
  const batches = await listBatches(await context.db());
  if (!batches.length) {
    context.io.out("No batches yet: shouwang batch create --kind sensor --board esp32-devkitc --serials macs.txt");
    return;
  }
  context.io.out(
    table(
      ["batch", "kind", "board", "claimed", "of", "expires"],
      batches.map((batch) => [
        batch.id,
        batch.kind,
        batch.board,
        String(batch.claimed),
        batch.maxDevices === null ? `${batch.allowedSerials} listed` : String(batch.maxDevices),
        new Date(batch.expiresAt).toISOString().slice(0, 16).replace("T", " "),
      ]),
    ),
  );
}

async function printFlashCommand(context: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { secret: { type: "string" }, "mqtt-host": { type: "string" }, "mqtt-port": { type: "string" }, firmware: { type: "string" } },
  });
  const batch = await findBatch(await context.db(), positionals[0] ?? "");
  if (!batch) throw new FleetError(`no batch ${positionals[0] ?? "(give its id)"}`, 404);
  // The typo a maker must not flash into 500 boards is caught here, against the stored hash.
  if (values.secret !== undefined && !claimSecretMatches(batch, values.secret)) throw new FleetError(`that is not batch ${batch.id}'s claim secret`);
  const target = mqttTarget(context, values["mqtt-host"], values["mqtt-port"]);
  context.io.out(flashCommand(batch, { ...target, secret: values.secret, firmware: values.firmware }));
}

async function labels(context: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: "string" } } });
  const rows = await deviceRows(await context.db(), positionals[0] ?? "");
  const csv = labelsCsv(rows.map((row) => ({ serial: row.serial, kind: row.kind, board: row.board, batch: row.batch, state: row.state })));
  if (values.out) {
    context.io.writeFile(values.out, csv);
    context.io.out(`${rows.length} labels written to ${values.out}`);
  } else {
    context.io.out(csv.trimEnd());
  }
}

function serialsFromFile(context: CliContext, path: string): string[] {
  // One serial per line, or a CSV whose first column is the serial; '#' starts a comment.
  return context.io
    .readFile(path)
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, "").split(",")[0].trim())
    .filter((line) => line && !/^serial$/i.test(line));
}

function expiryOf(text: string, now: number): number {
  const days = /^(\d+)d$/.exec(text);
  if (days) return now + Number(days[1]) * DAY_MS;
  const date = Date.parse(text);
  if (Number.isNaN(date)) throw new FleetError(`--expires takes days (30d) or a date (2026-12-31), not "${text}"`);
  return date;
}

function mqttTarget(context: CliContext, host?: string, port?: string): { mqttHost: string; mqttPort: number } {
  const url = context.env.mqttUrl ? new URL(context.env.mqttUrl) : undefined;
  const mqttHost = host ?? url?.hostname;
  if (!mqttHost) throw new FleetError("say which broker the nodes connect to: --mqtt-host <host> (or set MQTT_URL)");
  // A host given here is the nodes' view of the broker: its port is its own, not the cloud's URL's.
  const mqttPort = Number(port ?? (host ? 1883 : url?.port || 1883));
  if (!(Number.isInteger(mqttPort) && mqttPort > 0 && mqttPort < 65536)) throw new FleetError("--mqtt-port must be 1–65535");
  return { mqttHost, mqttPort };
}
