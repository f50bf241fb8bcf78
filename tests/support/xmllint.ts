import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CAP_XSD = fileURLToPath(new URL("../../cloud/incidents/cap/CAP-v1.2.xsd", import.meta.url));

/** Validates XML against an XSD with libxml2's xmllint; returns its verdict and messages. */
export function validateXml(xml: string, xsd = CAP_XSD): { valid: boolean; output: string } {
  const run = spawnSync("xmllint", ["--noout", "--nonet", "--schema", xsd, "-"], { input: xml, encoding: "utf8" });
  if (run.error) throw new Error("xmllint is not installed: `apt-get install libxml2-utils` (npm test does this as root)");
  return { valid: run.status === 0, output: `${run.stdout}${run.stderr}` };
}
