import { LitElement } from "lit";
import { onLocaleChange } from "./i18n/i18n";

/** Relative times ("3 分钟前") are redrawn this often. */
const CLOCK_MS = 30_000;

/**
 * The base of every console element: drawn in the light DOM, so the one stylesheet
 * (styles.css) styles every view and tests and axe see plain DOM; redrawn when the language
 * changes and every 30 s for relative times.
 */
export class SwElement extends LitElement {
  private stopLocale?: () => void;
  private clock?: ReturnType<typeof setInterval>;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopLocale = onLocaleChange(() => this.requestUpdate());
    this.clock = setInterval(() => this.requestUpdate(), CLOCK_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopLocale?.();
    clearInterval(this.clock);
  }
}
