import { html, nothing } from "lit";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { SwElement } from "../base";
import { locale, t } from "../i18n/i18n";

/** One line of a chart: values line up with the chart's `t`; null is a gap (no data then). */
export interface ChartLine {
  label: string;
  values: Array<number | null>;
  colour: string;
  dash?: boolean;
}

export interface ChartData {
  /** Stable name for tests and styling (`heap`, `rssi`, `telemetry-smoke`). */
  name: string;
  title: string;
  /** Bucket starts, ms since the epoch, ascending. */
  t: number[];
  lines: ChartLine[];
  /** The window drawn, ms: the x axis spans it even where there is no data. */
  from: number;
  to: number;
  /** A value in words with its unit ("120 KiB", "-67 dBm"). */
  format: (value: number) => string;
  /** Moments marked with a vertical line (a restart), and what they were. */
  markers?: Array<{ at: number; label: string }>;
}

const HEIGHT_PX = 180;
const AXIS = { stroke: "#4a5360", font: "14px system-ui, sans-serif", grid: { stroke: "#e3e6ea", width: 1 }, ticks: { stroke: "#c9ced6", width: 1 } };

/**
 * A time-series chart drawn by uPlot (made for exactly this: thousands of points on a canvas,
 * small and fast on a phone) from data the server already downsampled. The canvas is hidden from
 * screen readers; the key below it says each line's latest, lowest and highest value in words.
 */
export class SwTimeChart extends SwElement {
  static override properties = { chart: { attribute: false }, readout: { state: true } };
  chart: ChartData | null = null;
  readout = "";
  private plot: uPlot | null = null;
  private resize = new ResizeObserver(() => this.fit());

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private get plotBox(): HTMLElement | null {
    return this.querySelector(".chart-plot");
  }

  private fit(): void {
    const box = this.plotBox;
    if (this.plot && box && box.clientWidth > 0 && box.clientWidth !== this.plot.width) this.plot.setSize({ width: box.clientWidth, height: HEIGHT_PX });
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (!changed.has("chart")) return;
    this.plot?.destroy();
    this.plot = null;
    const box = this.plotBox;
    const chart = this.chart;
    if (!box || !chart || chart.t.length === 0) return;
    this.resize.observe(box);
    const seconds = chart.t.map((ms) => ms / 1000);
    const longWindow = chart.to - chart.from > 36 * 3_600_000;
    const timeFormat = new Intl.DateTimeFormat(locale(), longWindow ? { month: "numeric", day: "numeric" } : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const pointFormat = new Intl.DateTimeFormat(locale(), { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const markers = chart.markers ?? [];
    this.plot = new uPlot(
      {
        width: Math.max(box.clientWidth, 200),
        height: HEIGHT_PX,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { size: 8 } },
        scales: { x: { time: true, range: [chart.from / 1000, chart.to / 1000] } },
        axes: [
          { ...AXIS, size: 36, values: (_u, splits) => splits.map((s) => timeFormat.format(new Date(s * 1000))) },
          // Wide enough for "-100 dBm" and "1,024 KiB" at 14 px.
          { ...AXIS, size: 88, values: (_u, splits) => splits.map((s) => chart.format(s)) },
        ],
        series: [{}, ...chart.lines.map((line) => ({ label: line.label, stroke: line.colour, width: 2, dash: line.dash ? [6, 4] : undefined, points: { show: false } }))],
        hooks: {
          // Restarts as dashed vertical lines across the plot.
          draw: [
            (u) => {
              const { ctx } = u;
              ctx.save();
              ctx.strokeStyle = "#9f1d17";
              ctx.setLineDash([4, 4]);
              ctx.lineWidth = 2;
              for (const marker of markers) {
                const x = Math.round(u.valToPos(marker.at / 1000, "x", true));
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
              }
              ctx.restore();
            },
          ],
          // What the finger or pointer is on, in words above the key.
          setCursor: [
            (u) => {
              const i = u.cursor.idx;
              if (i === null || i === undefined) return;
              const parts = chart.lines.map((line) => (line.values[i] === null ? null : `${line.label} ${chart.format(line.values[i]!)}`)).filter(Boolean);
              this.readout = parts.length ? `${pointFormat.format(new Date(chart.t[i]))} · ${parts.join(" · ")}` : "";
            },
          ],
        },
      },
      [seconds, ...chart.lines.map((line) => line.values)] as uPlot.AlignedData,
      box,
    );
  }

  protected override render() {
    const chart = this.chart;
    if (!chart) return nothing;
    const empty = chart.t.length === 0;
    return html`<figure class="chart" data-chart=${chart.name}>
      <figcaption class="chart-title">${chart.title}</figcaption>
      ${empty ? html`<p class="muted chart-empty">${t("charts.noData")}</p>` : html`<div class="chart-plot" aria-hidden="true"></div>`}
      <p class="chart-readout muted" aria-hidden="true">${this.readout}</p>
      ${empty
        ? nothing
        : html`<ul class="chart-key">
            ${chart.lines.map((line) => {
              const present = line.values.filter((v): v is number => v !== null);
              const latest = present[present.length - 1];
              return html`<li><span class="chart-swatch ${line.dash ? "dashed" : ""}" style="border-color:${line.colour}"></span>${present.length
                  ? t("charts.summary", { line: line.label, latest: chart.format(latest), low: chart.format(Math.min(...present)), high: chart.format(Math.max(...present)) })
                  : t("charts.lineEmpty", { line: line.label })}</li>`;
            })}
            ${chart.markers?.length ? html`<li><span class="chart-swatch dashed marker"></span>${chart.markers.map((m) => m.label).join(" · ")}</li>` : nothing}
          </ul>`}
    </figure>`;
  }
}
customElements.define("sw-time-chart", SwTimeChart);
