import jsQR from "jsqr";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../cloud/cli/context";
import { runCli } from "../../cloud/cli/main";
import { openDatabase, type Database } from "../../cloud/db/client";
import { placardPlace } from "../../cloud/reports/placards";
import { tempDatabaseUrl } from "../support/cloud";
import { seedSite } from "../support/site";

/** Reads every QR code on a placard sheet the way a phone would: the SVG drawn to pixels, then decoded. */
async function decodeSheet(html: string): Promise<Array<{ place: string; url: string }>> {
  const found = [];
  for (const match of html.matchAll(/<section class="placard" data-place="([^"]+)">[\s\S]*?(<svg[\s\S]*?<\/svg>)/g)) {
    const { data, info } = await sharp(Buffer.from(match[2]), { density: 300 }).flatten({ background: "#fff" }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const code = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height);
    found.push({ place: match[1], url: code?.data ?? "" });
  }
  return found;
}

describe("placards (隐患随手拍)", () => {
  let url: string;
  let database: Database;
  beforeEach(async () => {
    url = tempDatabaseUrl();
    database = await openDatabase(url);
    await seedSite(database.db);
  });
  afterEach(() => database.close());

  async function cli(argv: string[], env: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const files = new Map<string, string>();
    const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), progress: { write: () => true, isTTY: false } as never, readFile: () => "", writeFile: (path, text) => void files.set(path, text), now: () => 1_000 };
    const code = await runCli(argv, io, { DATABASE_URL: url, ...env });
    return { code, out: out.join("\n"), err: err.join("\n"), files };
  }

  it("prints one placard per compound and building under a place; each QR code opens that place's report page", async () => {
    const result = await cli(["placards", "--place", "cm-1", "--size", "A5", "--out", "sheet.html"], { PUBLIC_URL: "http://192.168.1.10:8080" });
    expect(result.err).toBe("");
    expect(result.out).toContain("5 placards (A5)");
    const html = result.files.get("sheet.html")!;
    expect(html).toContain("@page { size: A5;");
    expect(html).toContain("隐患随手拍");
    expect(html).toContain("Xinhua Street · Heping Community · No. 3 Compound · Building 2");
    const decoded = await decodeSheet(html);
    expect(decoded.map((d) => d.place)).toEqual(["cp-1", "bd-1", "bd-2", "cp-2", "bd-3"]);
    for (const { place, url } of decoded) {
      const match = /^http:\/\/192\.168\.1\.10:8080\/r\/([A-Za-z0-9_-]{22})$/.exec(url);
      expect(match, `QR of ${place} reads ${url}`).not.toBeNull();
      expect((await placardPlace(database.db, match![1]))?.placeId).toBe(place);
    }
    // Printing again gives the same codes: placards already on walls keep working.
    const again = await cli(["placards", "--place", "cp-2", "--out", "again.html"], { PUBLIC_URL: "http://192.168.1.10:8080" });
    const second = await decodeSheet(again.files.get("again.html")!);
    expect(second).toEqual(decoded.filter((d) => d.place === "cp-2" || d.place === "bd-3"));
  });

  it("says what is missing: an address for the QR codes, a place with buildings, a known paper size", async () => {
    expect((await cli(["placards", "--place", "cm-1"])).err).toMatch(/PUBLIC_URL/);
    expect((await cli(["placards", "--place", "fl-1-3", "--base-url", "http://x.test"])).err).toMatch(/No compound or building/);
    expect((await cli(["placards", "--place", "cm-1", "--size", "B5", "--base-url", "http://x.test"])).err).toMatch(/A4 or A5/);
  });
});
