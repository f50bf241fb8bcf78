import { parseArgs } from "node:util";
import { PLACE_LEVELS, type PlaceLevel } from "../../db/schema";
import { FleetError } from "../../fleet/fleet-error";
import { createPlace, listPlaces, PlaceError } from "../../places/queries";
import type { CliContext } from "../context";
import { table } from "../table";

/** `place add <id> --level <level> --name <name> [--parent <id>]` and `place list`. */
export async function placeCommand(context: CliContext, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const db = await context.db();
  if (sub === "list") {
    const places = await listPlaces(db);
    context.io.out(places.length ? table(["place", "level", "name", "path"], places.map((p) => [p.id, p.level, p.name, p.path])) : "No places yet.");
    return;
  }
  if (sub !== "add") throw new FleetError(`place ${sub ?? ""}: expected add or list`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { level: { type: "string" }, name: { type: "string" }, parent: { type: "string" } },
  });
  if (!positionals[0] || !values.level || !values.name) throw new FleetError("place add needs an id, --level and --name");
  if (!PLACE_LEVELS.includes(values.level as PlaceLevel)) throw new FleetError(`--level must be one of ${PLACE_LEVELS.join(", ")}`);
  try {
    const place = await createPlace(db, { id: positionals[0], parentId: values.parent ?? null, level: values.level as PlaceLevel, name: values.name }, context.io.now());
    context.io.out(`${place.id}: ${place.level} "${place.name}" at ${place.path}`);
  } catch (error) {
    if (error instanceof PlaceError) throw new FleetError(error.message);
    throw error;
  }
}
