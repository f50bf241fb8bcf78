import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { IntlMessageFormat } from "intl-messageformat";
import { describe, expect, it } from "vitest";
import { en } from "../../cloud/console/app/i18n/en";
import { zhCN } from "../../cloud/console/app/i18n/zh-CN";
import { DELIVERY_CHANNELS, DELIVERY_STATUSES, HAZARDS, INCIDENT_STATUSES, STAFF_ROLES } from "../../cloud/db/schema";
import { SEVERITIES } from "../../shared/alarms";

const APP = "cloud/console/app";
/** Each family of server codes the console shows in words, with every code the server can send. */
const CODE_FAMILIES: Record<string, readonly string[]> = {
  hazard: HAZARDS,
  status: INCIDENT_STATUSES,
  severity: SEVERITIES,
  role: STAFF_ROLES,
  // The steps incidents/desk.ts and incidents/actions.ts record (and IncidentChange for the stream).
  event: [
    "opened", "reopened", "raised-again", "notified", "escalated", "escalation-limit-reached", "acknowledged", "dispatched",
    "resolved", "recheck-scheduled", "recheck-due", "recheck-failed", "rechecked", "source-cleared", "updated",
    "routing-gap",
  ],
  // NotifyPurpose in notify/message.ts, and "update" for webhooks.
  purpose: ["notify", "escalate", "reopen", "dispatch", "recheck-due", "update"],
  channel: DELIVERY_CHANNELS,
  delivery: DELIVERY_STATUSES,
  // The levels the place tree shows (places/tree.ts).
  level: ["street", "community", "compound", "building"],
};

/** A template's literal text, with every `${…}` (however nested) taken out. */
function literalText(template: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < template.length; i++) {
    if (depth === 0 && template[i] === "$" && template[i + 1] === "{") {
      depth = 1;
      i++;
    } else if (depth > 0) {
      if (template[i] === "{") depth++;
      else if (template[i] === "}") depth--;
    } else {
      out += template[i];
    }
  }
  return out;
}

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
        expect(() => new IntlMessageFormat(message, locale), `${locale} ${key}`).not.toThrow();
      }
    }
  });

  it("cover every step the incident desk records", () => {
    // A new step type in the desk or the actions must get words in the console too.
    const recorded = new Set<string>();
    for (const file of ["cloud/incidents/desk.ts", "cloud/incidents/actions.ts"]) {
      for (const m of readFileSync(file, "utf8").matchAll(/type: "([a-z-]+)"/g)) recorded.add(m[1]);
    }
    recorded.delete("incident-notification");
    for (const type of recorded) expect(CODE_FAMILIES.event, type).toContain(type);
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
        for (const m of literalText(template[1]).matchAll(/>([^<>]*)</g)) {
          const words = m[1].trim();
          if (/[A-Za-z]{2,}/.test(words)) strays.push(`${path}: ${words}`);
        }
      }
    }
    expect(strays).toEqual([]);
  });
});
