import { html, nothing } from "lit";
import { api, type PlaceRow } from "../api";
import { SwElement } from "../base";
import "../maintenance.css";
import { dateTime, locale, relativeTime, t, type MessageKey } from "../i18n/i18n";
import { nodesApi, type AlarmRecord, type NodeRecord, type NodeSeries, type SeriesWindow } from "../maintenance-api";
import { href, registerView } from "../router";
import { severityBadge } from "../ui/badges";
import { errorMessage } from "../ui/error-message";
import { ALARM_KIND_WORDS, duration, kib, METRIC_WORDS, NODE_KIND_WORDS, PROBLEM_WORDS, RESET_WORDS, SENSOR_STATE_WORDS, statusWords, word } from "../ui/maintenance-words";
import { type OfferedOp } from "../ui/node-commands";
import { alignSeries } from "../ui/align-series";
import type { ChartData, ChartLine } from "../ui/time-chart";
import "../ui/node-commands";
import "../ui/time-chart";
import { Reload } from "../ui/reload";

const WINDOWS: ReadonlyArray<{ window: SeriesWindow; label: MessageKey }> = [
  { window: "1h", label: "charts.window.1h" },
  { window: "24h", label: "charts.window.24h" },
  { window: "7d", label: "charts.window.7d" },
];

/**
 * What each kind's firmware answers (the `handlers` of firmware/node/*-node.ts; `config` and
 * `reboot` are the link's own): a button for a command the node would only refuse is not offered.
 */
const OPS_BY_KIND: Record<string, OfferedOp[]> = {
  // Smoke and sensor boards have no relay (hardware/kinds/sensor-node.ts): they refuse a relay test.
  smoke: ["self-test", "config", "reboot"],
  sensor: ["self-test", "config", "reboot"],
  elevator: ["self-test", "config", "reboot"],
  capsule: ["self-test", "config", "reboot"],
};
const ALL_OPS: OfferedOp[] = ["self-test", "relay-test", "config", "reboot"];

const COLOURS = { blue: "#1a56c4", red: "#9f1d17", green: "#1e6b2e", brown: "#8a4b00", ink: "#1d232a", violet: "#6b3fa0" };
const LINE_COLOURS = [COLOURS.blue, COLOURS.brown, COLOURS.green, COLOURS.violet, COLOURS.ink];

/** Telemetry readings drawn together, by what a crew compares: the chamber and its baseline, every temperature… */
const TELEMETRY_GROUPS: ReadonlyArray<{ name: string; title: MessageKey; metrics: string[] }> = [
  { name: "smoke", title: "charts.smoke", metrics: ["smokeRaw", "smokeBaselineRaw"] },
  { name: "temperature", title: "charts.temperature", metrics: ["ntcC", "tmp117C", "cableC", "temperatureC"] },
  { name: "current", title: "charts.current", metrics: ["currentA"] },
  { name: "leakage", title: "charts.leakage", metrics: ["leakageMa"] },
  { name: "supply", title: "charts.supply", metrics: ["supplyV"] },
];
const HEALTH_METRICS = new Set(["heap.free", "heap.minFree", "rssi", "outbox"]);

function numberText(value: number): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 2 }).format(value);
}

/** A reading with the unit its name ends in (`temperatureC` → °C, `leakageMa` → mA). */
function unitFormat(metric: string): (value: number) => string {
  if (metric.endsWith("C")) return (v) => t("nodes.unit.celsius", { n: numberText(v) });
  if (metric.endsWith("Ma")) return (v) => t("nodes.unit.milliamps", { n: numberText(v) });
  if (metric.endsWith("A")) return (v) => t("nodes.unit.amps", { n: numberText(v) });
  if (metric.endsWith("V")) return (v) => t("nodes.unit.volts", { n: numberText(v) });
  return numberText;
}

/** The charts for one window: heartbeat figures first (heap with restarts marked, Wi-Fi, outbox), then each telemetry group. */
export function chartsFor(series: NodeSeries): ChartData[] {
  const m = series.metrics;
  const pick = (name: string, field: "mean" | "min" | "max") => (m[name] ? { t: m[name].t, v: m[name][field] } : undefined);
  const chart = (name: string, title: string, format: (v: number) => string, lines: Array<{ label: string; colour: string; dash?: boolean; data?: { t: number[]; v: number[] } }>, markers?: ChartData["markers"]): ChartData => {
    const aligned = alignSeries(series.bucketMs, lines.map((l) => l.data));
    const chartLines: ChartLine[] = lines.map((l, i) => ({ label: l.label, colour: l.colour, dash: l.dash, values: aligned.values[i] }));
    return { name, title, t: aligned.t, lines: chartLines, from: series.from, to: series.to, format, markers };
  };
  const resets = series.resets.map((r) => ({ at: r.at, label: t("charts.reset", { when: dateTime(new Date(r.at).toISOString()), reason: word(RESET_WORDS, r.reason) || t("nodes.reset.other") }) }));
  const charts = [
    chart("heap", t("charts.heap"), kib, [
      { label: t("charts.heapFree"), colour: COLOURS.blue, data: pick("heap.free", "mean") },
      { label: t("charts.heapMin"), colour: COLOURS.red, dash: true, data: pick("heap.minFree", "min") },
    ], resets),
    chart("rssi", t("charts.rssi"), (v) => t("nodes.unit.dbm", { n: Math.round(v) }), [
      { label: t("charts.rssiMean"), colour: COLOURS.blue, data: pick("rssi", "mean") },
      { label: t("charts.rssiWorst"), colour: COLOURS.brown, dash: true, data: pick("rssi", "min") },
    ]),
    chart("outbox", t("charts.outbox"), (v) => numberText(Math.round(v)), [{ label: t("charts.outboxMax"), colour: COLOURS.ink, data: pick("outbox", "max") }]),
  ];
  const telemetry = Object.keys(m).filter((name) => !HEALTH_METRICS.has(name));
  const grouped = new Set<string>();
  for (const group of TELEMETRY_GROUPS) {
    const present = group.metrics.filter((name) => m[name]);
    if (!present.length) continue;
    present.forEach((name) => grouped.add(name));
    const lines =
      present.length === 1
        ? [
            { label: t("charts.mean", { what: word(METRIC_WORDS, present[0]) }), colour: COLOURS.blue, data: pick(present[0], "mean") },
            { label: t("charts.highest", { what: word(METRIC_WORDS, present[0]) }), colour: COLOURS.red, dash: true, data: pick(present[0], "max") },
          ]
        : present.map((name, i) => ({ label: word(METRIC_WORDS, name), colour: LINE_COLOURS[i % LINE_COLOURS.length], data: pick(name, "mean") }));
    charts.push(chart(`telemetry-${group.name}`, t(group.title), unitFormat(present[0]), lines));
  }
  for (const name of telemetry.filter((n) => !grouped.has(n))) {
    charts.push(chart(`telemetry-${name}`, word(METRIC_WORDS, name), unitFormat(name), [{ label: t("charts.mean", { what: word(METRIC_WORDS, name) }), colour: COLOURS.blue, data: pick(name, "mean") }]));
  }
  return charts;
}

interface LatestHealth {
  uptimeMs?: number;
  heap?: { freeBytes: number; minFreeBytes: number } | null;
  rssiDbm?: number | null;
  resetReason?: string;
  sensors?: Record<string, string>;
  outbox?: { depth: number; capacity: number; alarms: number };
  dropped?: { telemetry: number; event: number; alarm: number };
  lastError?: string | null;
}

/** One node for a crew: its state in words, its history in charts, its alarms, and commands with their answers. */
export class SwNodeDetail extends SwElement {
  static override properties = {
    params: { attribute: false },
    node: { state: true },
    places: { state: true },
    alarms: { state: true },
    window: { state: true },
    charts: { state: true },
    failure: { state: true },
    chartFailure: { state: true },
  };
  params: Record<string, string> = {};
  node: NodeRecord | null = null;
  places: PlaceRow[] = [];
  alarms: AlarmRecord[] = [];
  window: SeriesWindow = "24h";
  charts: ChartData[] | null = null;
  failure: unknown = null;
  chartFailure: unknown = null;
  private series: NodeSeries | null = null;
  private chartLocale = locale();
  private readonly reload = new Reload(this, () => this.load(), 30_000);

  private get nodeId(): string {
    return this.params.id;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadSeries();
    void api.places().then((answer) => (this.places = answer.places), () => {});
  }

  private async load(): Promise<void> {
    try {
      const [{ node }, { alarms }] = await Promise.all([nodesApi.node(this.nodeId), nodesApi.alarms(this.nodeId)]);
      this.node = node;
      this.alarms = alarms;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  private async loadSeries(): Promise<void> {
    const asked = this.window;
    try {
      const series = await nodesApi.series(this.nodeId, asked);
      if (asked !== this.window) return;
      this.series = series;
      this.chartLocale = locale();
      this.charts = chartsFor(series);
      this.chartFailure = null;
    } catch (error) {
      this.chartFailure = error;
    }
  }

  protected override willUpdate(): void {
    // Charts carry words; a new language draws them again (and only then, so the 30 s clock does not).
    if (this.series && this.chartLocale !== locale()) {
      this.chartLocale = locale();
      this.charts = chartsFor(this.series);
    }
  }

  private choose(window: SeriesWindow): void {
    if (window === this.window) return;
    this.window = window;
    this.charts = null;
    void this.loadSeries();
  }

  private placeName(node: NodeRecord): string {
    if (!node.place) return t("nodes.noPlace");
    const names = node.place.path.split("/").filter(Boolean).map((id) => this.places.find((p) => p.id === id)).filter((p): p is PlaceRow => !!p && p.level !== "street");
    return names.length ? names.map((p) => p.name).join(" › ") : node.place.name;
  }

  private renderHealth(node: NodeRecord) {
    const h = (node.health ?? {}) as LatestHealth;
    const rows: Array<[string, unknown]> = [
      [t("nodes.fact.firmware"), node.firmware ?? "—"],
      [t("nodes.fact.lastHeartbeat"), node.lastHealthAt ? `${relativeTime(node.lastHealthAt)} (${dateTime(node.lastHealthAt)})` : t("nodes.fact.none")],
      [t("nodes.fact.uptime"), h.uptimeMs !== undefined ? duration(h.uptimeMs) : "—"],
      [t("nodes.fact.heap"), h.heap ? t("nodes.fact.heapValue", { free: kib(h.heap.freeBytes), min: kib(h.heap.minFreeBytes) }) : t("nodes.fact.unknown")],
      [t("nodes.fact.rssi"), typeof h.rssiDbm === "number" ? t("nodes.unit.dbm", { n: h.rssiDbm }) : t("nodes.fact.unknown")],
      [t("nodes.fact.outbox"), h.outbox ? t("nodes.fact.outboxValue", { depth: h.outbox.depth, capacity: h.outbox.capacity, alarms: h.outbox.alarms }) : "—"],
      [t("nodes.fact.reset"), h.resetReason ? word(RESET_WORDS, h.resetReason) : "—"],
      [
        t("nodes.fact.sensors"),
        h.sensors && Object.keys(h.sensors).length
          ? Object.entries(h.sensors).map(([name, state]) => html`<span class="sensor sensor-${state}">${name}: ${word(SENSOR_STATE_WORDS, state)}</span> `)
          : "—",
      ],
      [t("nodes.fact.dropped"), h.dropped ? t("nodes.fact.droppedValue", { telemetry: h.dropped.telemetry, event: h.dropped.event, alarm: h.dropped.alarm }) : "—"],
    ];
    if (h.lastError) rows.push([t("nodes.fact.lastError"), html`<span class="codes">${h.lastError}</span>`]);
    return html`<section class="card" aria-labelledby="health-title">
      <h2 id="health-title">${t("nodes.healthTitle")}</h2>
      <dl class="node-facts">${rows.map(([label, value]) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`)}</dl>
    </section>`;
  }

  private renderCharts() {
    return html`<section class="card" aria-labelledby="charts-title">
      <div class="row"><h2 id="charts-title">${t("charts.title")}</h2></div>
      <div class="segmented" role="group" aria-label=${t("charts.windowLabel")}>
        ${WINDOWS.map((w) => html`<button class="btn" data-window=${w.window} aria-pressed=${this.window === w.window ? "true" : "false"} @click=${() => this.choose(w.window)}>${t(w.label)}</button>`)}
      </div>
      ${errorMessage(this.chartFailure)}
      ${this.charts === null
        ? html`<p class="empty">${t("app.loading")}</p>`
        : html`<div class="chart-grid">${this.charts.map((chart) => html`<sw-time-chart .chart=${chart}></sw-time-chart>`)}</div>
            ${this.series?.resets.length
              ? nothing
              : html`<p class="muted">${t("charts.noResets")}</p>`}
            <p class="muted">${t("charts.downsampled", { bucket: duration(this.series?.bucketMs ?? 0) })}</p>`}
    </section>`;
  }

  private renderAlarms() {
    return html`<section class="card" aria-labelledby="alarms-title">
      <h2 id="alarms-title">${t("nodes.alarmsTitle")}</h2>
      ${this.alarms.length
        ? html`<ul class="list alarm-list">${this.alarms.map(
            (a) => html`<li data-alarm=${a.id}>
              <div class="row">${severityBadge(a.severity)}<strong>${word(ALARM_KIND_WORDS, a.kind)}</strong>
                <span>${t(a.state === "cleared" ? "nodes.alarmState.cleared" : "nodes.alarmState.raised")}</span></div>
              <div class="muted">${t("nodes.alarmReading", { value: numberText(a.value), threshold: numberText(a.threshold), unit: a.unit })} · ${relativeTime(a.receivedAt)} (${dateTime(a.receivedAt)})</div>
            </li>`,
          )}</ul>`
        : html`<p class="muted">${t("nodes.noAlarms")}</p>`}
    </section>`;
  }

  protected override render() {
    const back = html`<p><a class="btn btn-quiet" href=${href("/nodes")}>← ${t("nodes.back")}</a></p>`;
    if (this.failure && !this.node) return html`${back}${errorMessage(this.failure)}`;
    const node = this.node;
    if (!node) return html`${back}<p class="empty">${t("app.loading")}</p>`;
    const worst = node.problems[0];
    return html`<article aria-labelledby="node-title">
      ${back}
      <div class="card ${worst ? `problem-edge-${worst}` : ""}">
        <h1 id="node-title" class="node-id">${node.id}</h1>
        <p>${word(NODE_KIND_WORDS, node.kind) || t("nodes.kindUnknown")}</p>
        <p class="place-path">${this.placeName(node)}</p>
        <p class="${node.online ? "node-online" : "node-offline"}" data-node-status>${statusWords(node)}</p>
        ${node.problems.length ? html`<div class="row problems">${node.problems.map((p) => html`<span class="badge problem-${p}">${word(PROBLEM_WORDS, p)}</span>`)}</div>` : html`<p class="good">${t("nodes.healthy")}</p>`}
        ${node.kind === "elevator" ? html`<p><a class="btn" href=${href(`/elevators/${node.id}`)}>${t("nodes.toElevator")}</a></p>` : nothing}
      </div>
      ${errorMessage(this.failure)}
      ${this.renderHealth(node)}
      ${this.renderCharts()}
      ${this.renderAlarms()}
      <sw-node-commands .nodeId=${node.id} .kind=${node.kind ?? ""} .offer=${OPS_BY_KIND[node.kind ?? ""] ?? ALL_OPS}></sw-node-commands>
    </article>`;
  }
}
customElements.define("sw-node-detail", SwNodeDetail);
registerView({ pattern: "/nodes/:id", tag: "sw-node-detail" });
