import type { Hazard } from "../../db/schema";
import type { Place } from "../../places/queries";
import { HAZARD_LABELS } from "../hazards";
import type { IncidentRow } from "../view";

export interface CapOptions {
  /** CAP `sender`: globally unique, no spaces, commas or `<&` (CAP 1.2 §3.2.1). */
  sender: string;
  senderName: string;
  /** The site's UTC offset: CAP times carry an explicit offset and never "Z" (CAP 1.2 §3.3.2). */
  utcOffsetMinutes: number;
}

/** CAP 1.2 §3.2.2 category values. */
const CATEGORY: Record<Hazard, string> = {
  fire: "Fire",
  "smoke-prealarm": "Fire",
  electrical: "Fire",
  "ebike-blocked": "Safety",
  "aed-removed": "Health",
  "capsule-door": "Security",
  "node-offline": "Infra",
  "sensor-fault": "Infra",
  "resident-report": "Safety",
  unclassified: "Other",
};

const RESPONSE: Record<Hazard, string> = {
  fire: "Evacuate",
  "smoke-prealarm": "Assess",
  electrical: "Avoid",
  "ebike-blocked": "Avoid",
  "aed-removed": "Assess",
  "capsule-door": "Assess",
  "node-offline": "Monitor",
  "sensor-fault": "Monitor",
  "resident-report": "Assess",
  unclassified: "Monitor",
};

const INSTRUCTION: Record<Hazard, { en: string; zh: string }> = {
  fire: { en: "Leave the building by the stairs; do not use elevators. Call 119.", zh: "请走楼梯撤离，勿乘电梯，拨打 119。" },
  "smoke-prealarm": { en: "Staff are checking the source of smoke.", zh: "工作人员正在核查烟雾来源。" },
  electrical: { en: "Keep clear of the affected circuit until staff have isolated it.", zh: "在工作人员断电处理前请远离相关线路。" },
  "ebike-blocked": { en: "Do not take e-bikes into elevators; charge them at the designated shed.", zh: "电动车禁止进电梯，请到指定车棚充电。" },
  "aed-removed": { en: "If you are not using the AED for an emergency, return it to its capsule.", zh: "如非急救使用，请将 AED 放回应急舱。" },
  "capsule-door": { en: "Staff are checking the emergency capsule.", zh: "工作人员正在检查应急舱。" },
  "node-offline": { en: "Monitoring at this place is interrupted; staff are checking it.", zh: "该处监测中断，工作人员正在检查。" },
  "sensor-fault": { en: "A sensor needs service; staff are checking it.", zh: "传感器需维护，工作人员正在检查。" },
  "resident-report": { en: "Staff are checking the reported hazard.", zh: "工作人员正在核查居民上报的隐患。" },
  unclassified: { en: "Staff are checking the alarm.", zh: "工作人员正在核查告警。" },
};

/** CAP 1.2 §3.2.2 severity from the node's severity scale. */
const SEVERITY: Record<string, string> = { urgent: "Extreme", alarm: "Severe", warning: "Moderate", info: "Minor" };

/**
 * An incident as an OASIS CAP 1.2 alert. The first state of an incident is an `Alert` with a stable
 * identifier; any later state is an `Update` whose `references` name that first alert, so a city
 * platform that received both can join them (CAP 1.2 §3.2.1 msgType, references).
 */
export function incidentToCap(row: IncidentRow, chain: readonly Place[], location: { latitude: number; longitude: number } | null, options: CapOptions): string {
  const first = row.status === "open" && row.reopenedCount === 0 && row.escalationStep === 0 && row.acknowledgedAt === null;
  const alertId = `sw-incident-${row.id}`;
  const sentMs = first ? row.openedAt : row.updatedAt;
  const closed = row.status === "resolved" || row.status === "rechecked";
  const observed = row.hazard !== "resident-report" && row.hazard !== "smoke-prealarm";
  const areaDesc = chain.length ? chain.map((p) => p.name).join(" / ") : `Node ${row.nodeId ?? "?"} (no place assigned)`;
  const time = (ms: number) => capTime(ms, options.utcOffsetMinutes);

  const info = (language: string, lang: "en" | "zh") => {
    const label = HAZARD_LABELS[row.hazard][lang];
    const parts = [
      el("language", language),
      el("category", CATEGORY[row.hazard]),
      el("event", label),
      el("responseType", closed ? "AllClear" : RESPONSE[row.hazard]),
      el("urgency", closed ? "Past" : row.hazard === "fire" ? "Immediate" : "Expected"),
      el("severity", SEVERITY[row.severity] ?? "Unknown"),
      el("certainty", observed || closed ? "Observed" : "Likely"),
      el("effective", time(row.openedAt)),
      el("senderName", options.senderName),
      el("headline", `${label}: ${areaDesc}`.slice(0, 160)),
      el("description", row.summary),
      el("instruction", closed ? (lang === "zh" ? "隐患已处置。" : "The hazard has been dealt with.") : INSTRUCTION[row.hazard][lang]),
      param("shouwang:hazard", row.hazard),
      param("shouwang:status", row.status),
      param("shouwang:triggerCount", String(row.triggerCount)),
      param("shouwang:reopenedCount", String(row.reopenedCount)),
      `<area>${el("areaDesc", areaDesc)}${location ? el("circle", `${location.latitude.toFixed(6)},${location.longitude.toFixed(6)} 0.1`) : ""}${
        row.placePath ? `<geocode>${el("valueName", "shouwang:placePath")}${el("value", row.placePath)}</geocode>` : ""
      }</area>`,
    ];
    return `<info>${parts.join("")}</info>`;
  };

  const parts = [
    el("identifier", first ? alertId : `${alertId}-${row.status}-${row.updatedAt}`),
    el("sender", options.sender),
    el("sent", time(sentMs)),
    el("status", "Actual"),
    el("msgType", first ? "Alert" : "Update"),
    el("scope", "Restricted"),
    el("restriction", "For emergency management platforms; names community places."),
    el("note", `Incident ${row.id}: ${row.status}`),
    first ? "" : el("references", `${options.sender},${alertId},${time(row.openedAt)}`),
    el("incidents", alertId),
    info("zh-CN", "zh"),
    info("en-US", "en"),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${parts.join("")}</alert>\n`;
}

/** `YYYY-MM-DDThh:mm:ss+hh:mm` in the site's offset (the XSD's pattern for every CAP time). */
export function capTime(ms: number, utcOffsetMinutes: number): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = utcOffsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(utcOffsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function el(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

function param(name: string, value: string): string {
  return `<parameter>${el("valueName", name)}${el("value", value)}</parameter>`;
}

/** XML 1.0 text: the five specials escaped, and characters XML cannot carry at all dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
