import { parseArgs } from "node:util";
import { FleetError } from "../../fleet/fleet-error";
import { placardSheet, type PaperSize } from "../../reports/placard-sheet";
import { placardsUnder, revokePlacards } from "../../reports/placards";
import type { CliContext } from "../context";

/**
 * `placards --place <id> [--size A4|A5] [--out file.html|file.pdf] [--base-url <url>]` prints the
 * "隐患随手拍" placards for every compound and building under a place; `placards revoke <place>`
 * retires a place's code (the next print makes a new one).
 */
export async function placardsCommand(context: CliContext, args: string[]): Promise<void> {
  const db = await context.db();
  if (args[0] === "revoke") {
    if (!args[1]) throw new FleetError("placards revoke needs a place id");
    const count = await revokePlacards(db, args[1], context.io.now());
    context.io.out(count ? `Revoked the placard of ${args[1]}: its QR code no longer opens the report page. Print a new one.` : `${args[1]} has no live placard.`);
    return;
  }
  const { values } = parseArgs({ args, options: { place: { type: "string" }, size: { type: "string", default: "A4" }, out: { type: "string" }, "base-url": { type: "string" } } });
  if (!values.place) throw new FleetError("placards needs --place <id> (a street, community, compound or building)");
  const size = values.size?.toUpperCase();
  if (size !== "A4" && size !== "A5") throw new FleetError("--size must be A4 or A5");
  const baseUrl = values["base-url"] ?? context.env.publicUrl;
  if (!baseUrl || !/^https?:\/\/[^/]+/.test(baseUrl)) {
    throw new FleetError("The placards need the address residents' phones reach the cloud at: set PUBLIC_URL (e.g. http://192.168.1.10:8080) or pass --base-url");
  }
  const placards = await placardsUnder(db, values.place, context.io.now());
  if (placards.length === 0) throw new FleetError(`No compound or building at or under "${values.place}": add them with \`place add\` first`);
  const html = await placardSheet(placards, { baseUrl, size: size as PaperSize });
  const out = values.out ?? `placards-${values.place}.html`;
  if (out.endsWith(".pdf")) await printPdf(html, out, size as PaperSize);
  else context.io.writeFile(out, html);
  context.io.out(`${placards.length} placards (${size}) for ${values.place} written to ${out}. Print at 100 % scale; each QR code opens the report page for its place.`);
}

/** A PDF through the Chromium the tests already use; the HTML alone prints the same from any browser. */
async function printPdf(html: string, out: string, size: PaperSize): Promise<void> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] }).catch(() => {
    throw new FleetError("A PDF needs Chromium (/usr/bin/chromium, or CHROMIUM_PATH); write --out placards.html and print it from any browser instead");
  });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: "load" });
    await page.pdf({ path: out, format: size, printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
