/**
 * The quick choices on the resident page, the hazards residents meet most (the "隐患随手拍"
 * campaigns name exactly these): their words live in the page's and the console's catalogues.
 */
export const REPORT_CATEGORIES = ["blocked-exit", "ebike-charging", "exposed-wiring", "gas-smell", "corridor-rubbish", "other"] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export function isReportCategory(value: unknown): value is ReportCategory {
  return typeof value === "string" && (REPORT_CATEGORIES as readonly string[]).includes(value);
}

/** The words a notification uses when the reporter tapped a choice and wrote nothing (as hazards.ts names hazards). */
export const CATEGORY_WORDS: Record<ReportCategory, { zh: string; en: string }> = {
  "blocked-exit": { zh: "消防通道/安全出口被堵", en: "Fire exit blocked" },
  "ebike-charging": { zh: "电动车在楼内充电", en: "E-bike charging indoors" },
  "exposed-wiring": { zh: "电线裸露/私拉乱接", en: "Exposed or makeshift wiring" },
  "gas-smell": { zh: "闻到燃气味", en: "Smell of gas" },
  "corridor-rubbish": { zh: "楼道堆放杂物", en: "Rubbish piled in the corridor" },
  other: { zh: "其他隐患", en: "Other hazard" },
};
