import { canSee, type Viewer } from "../../staff/viewer";

export interface HubEvent {
  event: "incident" | "notification";
  id?: string;
  data: unknown;
}

interface Stream {
  viewer: Viewer;
  listener: (event: HubEvent) => void;
}

/**
 * The console's live streams. Incident updates go to every stream whose viewer may see the
 * place; a notification goes to the streams of the one person it is for.
 */
export class ConsoleHub {
  #streams = new Set<Stream>();

  subscribe(viewer: Viewer, listener: (event: HubEvent) => void): () => void {
    const stream = { viewer, listener };
    this.#streams.add(stream);
    return () => this.#streams.delete(stream);
  }

  /** Returns how many of the person's streams it was written to. */
  notify(staffId: number, id: string, data: unknown): number {
    let written = 0;
    for (const stream of this.#streams) {
      if (stream.viewer.kind === "staff" && stream.viewer.staffId === staffId) {
        if (this.#send(stream, { event: "notification", id, data })) written++;
      }
    }
    return written;
  }

  /** Whether the person has the console open right now. */
  listening(staffId: number): boolean {
    for (const stream of this.#streams) if (stream.viewer.kind === "staff" && stream.viewer.staffId === staffId) return true;
    return false;
  }

  broadcast(placePath: string | null, data: unknown): void {
    for (const stream of this.#streams) {
      if (canSee(stream.viewer, placePath)) this.#send(stream, { event: "incident", data });
    }
  }

  get streams(): number {
    return this.#streams.size;
  }

  #send(stream: Stream, event: HubEvent): boolean {
    try {
      stream.listener(event);
      return true;
    } catch {
      this.#streams.delete(stream);
      return false;
    }
  }
}
