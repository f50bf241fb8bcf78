/** Where progress is drawn: a terminal gets a bar redrawn in place, anything else one line at the end. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const WIDTH = 28;
const REDRAW_MS = 80;

/** A progress bar for long work (`label [██████░░░░]  42% 420/1000`), quiet when nobody watches. */
export class Progress {
  #stream: ProgressStream;
  #label: string;
  #total: number;
  #done = 0;
  #drawnAt = 0;

  constructor(stream: ProgressStream, label: string, total: number) {
    this.#stream = stream;
    this.#label = label;
    this.#total = Math.max(total, 1);
  }

  update(done: number): void {
    this.#done = Math.min(done, this.#total);
    const now = performance.now();
    if (this.#stream.isTTY && (now - this.#drawnAt >= REDRAW_MS || this.#done === this.#total)) {
      this.#drawnAt = now;
      this.#stream.write(`\r${this.#line()}`);
    }
  }

  tick(): void {
    this.update(this.#done + 1);
  }

  finish(): void {
    this.#done = this.#total;
    this.#stream.write(this.#stream.isTTY ? `\r${this.#line()}\n` : `${this.#line()}\n`);
  }

  #line(): string {
    const fraction = this.#done / this.#total;
    const filled = Math.round(fraction * WIDTH);
    const bar = "█".repeat(filled) + "░".repeat(WIDTH - filled);
    return `${this.#label} [${bar}] ${String(Math.round(fraction * 100)).padStart(3)}% ${this.#done}/${this.#total}`;
  }
}
