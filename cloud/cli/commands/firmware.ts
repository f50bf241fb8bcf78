import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { FleetError } from "../../fleet/fleet-error";
import { FirmwareStore } from "../../flashing/firmware-store";
import { ManifestError } from "../../flashing/web-tools-manifest";
import type { CliContext } from "../context";
import { table } from "../table";

/** `firmware publish --build <dir> --kind <kind> --version <v>` and `firmware list`: builds for the flashing page. */
export async function firmwareCommand(context: CliContext, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const store = new FirmwareStore(resolve(context.env.dataDir));
  if (sub === "list") {
    const builds = store.list();
    context.io.out(builds.length ? table(["kind", "version", "chip", "parts"], builds.map((b) => [b.kind, b.version, b.chipFamily, String(b.manifest.builds[0].parts.length)])) : "No firmware published yet.");
    return;
  }
  if (sub !== "publish") throw new FleetError(`firmware ${sub ?? ""}: expected publish or list`);
  const { values } = parseArgs({ args: rest, options: { build: { type: "string" }, kind: { type: "string" }, version: { type: "string" } } });
  if (!values.build || !values.kind || !values.version) throw new FleetError("firmware publish needs --build <ESP-IDF build folder>, --kind and --version");
  try {
    const build = store.publish(resolve(values.build), values.kind, values.version);
    const parts = build.manifest.builds[0].parts.map((p) => `${p.path}@0x${p.offset.toString(16)}`).join(", ");
    context.io.out(`Published ${build.kind} ${build.version} for ${build.chipFamily}: ${parts}. Makers flash it from /flash on the console.`);
  } catch (error) {
    if (error instanceof ManifestError) throw new FleetError(error.message);
    throw error;
  }
}
