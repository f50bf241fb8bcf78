export type LiveState = "connecting" | "live" | "reconnecting";

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

/**
 * Reads a server-sent-events stream and keeps it open: when the connection drops (server
 * restart, Wi-Fi change) it closes the EventSource and opens a new one after a growing pause,
 * showing "reconnecting" meanwhile. Each time it comes back it says `resync`, so views reload
 * what they may have missed while it was away (SSE has no replay here).
 */
export class LiveStream {
  state: LiveState = "connecting";
  private source: EventSource | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private readonly eventListeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly resyncListeners = new Set<() => void>();
  private stopped = false;

  constructor(private readonly url: string) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }

  /** Listens to one event name (`incident`, `notification`…); returns the way to stop. */
  on(event: string, listener: (data: unknown) => void): () => void {
    let set = this.eventListeners.get(event);
    if (!set) {
      set = new Set();
      this.eventListeners.set(event, set);
      this.source?.addEventListener(event, (message) => this.dispatch(event, message as MessageEvent));
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  private setState(state: LiveState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private dispatch(event: string, message: MessageEvent): void {
    let data: unknown;
    try {
      data = JSON.parse(message.data as string);
    } catch {
      return;
    }
    for (const listener of this.eventListeners.get(event) ?? []) listener(data);
  }

  private open(): void {
    const source = new EventSource(this.url, { withCredentials: true });
    this.source = source;
    const wasReconnect = this.attempt > 0 || this.state === "reconnecting";
    source.addEventListener("ready", () => {
      this.attempt = 0;
      this.setState("live");
      if (wasReconnect) for (const listener of this.resyncListeners) listener();
    });
    for (const event of this.eventListeners.keys()) source.addEventListener(event, (message) => this.dispatch(event, message as MessageEvent));
    // The browser's own retry keeps no state we can show and gives up on an HTTP error; ours does both.
    source.onerror = () => {
      source.close();
      if (this.source !== source || this.stopped) return;
      this.source = null;
      this.setState("reconnecting");
      const wait = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
      this.attempt++;
      this.timer = setTimeout(() => this.open(), wait);
    };
  }
}
