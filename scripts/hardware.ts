/**
 * `npm run hardware`: checks every board definition against its chip and the node kinds, then
 * regenerates manifest.json's platform configs and the wiring documents from the definitions.
 * `npm run hardware -- --check` changes nothing and fails if a generated file is out of date.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BOARDS } from "../hardware/boards";
import { wiringDocuments, withBoardConfigs } from "../hardware/generate";
import { checkBoard } from "../hardware/validate";

const root = fileURLToPath(new URL("..", import.meta.url));
const checkOnly = process.argv.includes("--check");

let failed = false;
for (const board of Object.values(BOARDS)) {
  const { errors, warnings } = checkBoard(board);
  for (const warning of warnings) console.log(`warning  ${warning}`);
  for (const error of errors) console.error(`error    ${error}`);
  failed ||= errors.length > 0;
}
if (failed) {
  console.error("\nBoard definitions have errors; nothing was written.");
  process.exit(1);
}

const manifestPath = join(root, "manifest.json");
const current = readFileSync(manifestPath, "utf8");
const outputs: Record<string, string> = {
  "manifest.json": `${JSON.stringify(withBoardConfigs(JSON.parse(current)), null, 2)}\n`,
  ...wiringDocuments(),
};

const stale: string[] = [];
for (const [path, text] of Object.entries(outputs)) {
  const file = join(root, path);
  let existing = "";
  try {
    existing = readFileSync(file, "utf8");
  } catch {
    // a new document
  }
  if (existing === text) continue;
  stale.push(path);
  if (!checkOnly) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
if (checkOnly && stale.length) {
  console.error(`Out of date: ${stale.join(", ")}. Run \`npm run hardware\`.`);
  process.exit(1);
}
console.log(stale.length ? `${checkOnly ? "Would write" : "Wrote"} ${stale.join(", ")}` : "Everything generated is up to date.");
