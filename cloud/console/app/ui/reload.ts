import type { ReactiveController, ReactiveControllerHost } from "lit";

/**
 * A view's data, loaded when the view is shown and again every `everyMs` while it stays shown
 * (the crews' pages follow nodes that report every minute; no stream carries their state).
 * `first` is the first load when it differs from the periodic one (a page that also loads what
 * does not change).
 */
export class Reload implements ReactiveController {
  #timer?: ReturnType<typeof setInterval>;

  constructor(
    host: ReactiveControllerHost,
    private readonly every: () => Promise<void>,
    private readonly everyMs: number,
    private readonly first: () => Promise<void> = every,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.first();
    this.#timer = setInterval(() => void this.every(), this.everyMs);
  }

  hostDisconnected(): void {
    clearInterval(this.#timer);
  }
}
