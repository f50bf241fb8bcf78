import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { IntlMessageFormat } from "intl-messageformat";
import { describe, expect, it } from "vitest";
import { en } from "../../cloud/console/app/i18n/en";
import { zhCN } from "../../cloud/console/app/i18n/zh-CN";
import { HAZARDS, INCIDENT_STATUSES } from "../../cloud/db/schema";
import { SEVERITIES } from "../../shared/alarms";

const APP = "cloud/console/app";
/** Each family of server codes the console shows in words, with every code the server can send. */
const CODE_FAMILIES: Record<string, readonly string[]> = {
  hazard: HAZARDS,
  status: INCIDENT_STATUSES,
  severity: SEVERITIES,
};

function sources(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    // The catalogues themselves are what is checked against; comments may quote the words.
    if (!name.endsWith(".ts") || path.endsWith(join("i18n", "zh-CN.ts")) || path.endsWith(join("i18n", "en.ts"))) return [];
    return [{ path, text: readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "") }];
  });
}

describe("console catalogues (zh-CN and en)", () => {
  const files = sources(APP);
  const code = files.map((f) => f.text).join("\n");

  it("have the same keys, none empty, each a valid ICU message in its language", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [locale, catalogue] of [["zh-CN", zhCN], ["en", en]] as const) {
      for (const [key, message] of Object.entries(catalogue)) {
        expect(message.trim(), `${locale} ${key}`).not.toBe("");
        expect(() => new IntlMessageFormat(message, locale).format({ n: 2, name: "x" }), `${locale} ${key}`).not.toThrow();
      }
    }
  });

  it("cover every code of each family the server sends", () => {
    const families = new Set([...code.matchAll(/tCode\(\s*"([a-z-]+)"/g)].map((m) => m[1]));
    for (const family of families) expect(Object.keys(CODE_FAMILIES), `family ${family} has its codes listed here`).toContain(family);
    for (const [family, codes] of Object.entries(CODE_FAMILIES)) {
      for (const c of codes) expect(Object.keys(zhCN), `${family}.${c}`).toContain(`${family}.${c}`);
    }
  });

  it("have no unused entry: each key is named in the app's code, or is a code of a family it shows", () => {
    const families = new Set([...code.matchAll(/tCode\(\s*"([a-z-]+)"/g)].map((m) => m[1]));
    const unused = Object.keys(zhCN).filter((key) => {
      if (code.includes(`"${key}"`)) return false;
      const dot = key.indexOf(".");
      const family = key.slice(0, dot);
      return !(families.has(family) && CODE_FAMILIES[family]?.includes(key.slice(dot + 1)));
    });
    expect(unused).toEqual([]);
  });

  it("leave no words in the views' markup outside the catalogues", () => {
    const strays: string[] = [];
    for (const { path, text } of files) {
      // Chinese anywhere in the app's code belongs in the catalogue instead.
      for (const m of text.matchAll(/[\u4e00-\u9fff]+/g)) strays.push(`${path}: ${m[0]}`);
      // Text between tags inside html`` templates: words there must come from t().
      for (const template of text.matchAll(/html`([\s\S]*?)`/g)) {
        for (const m of template[1].matchAll(/>([^<>]*)</g)) {
          const words = m[1].replace(/\$\{[^}]*\}?/g, "").trim();
          if (/[A-Za-z]{2,}/.test(words)) strays.push(`${path}: ${words}`);
        }
      }
    }
    expect(strays).toEqual([]);
  });
});
