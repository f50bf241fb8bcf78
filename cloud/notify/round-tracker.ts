/** A tier's round: which incident and step, and how many of its deliveries are still out. */
interface Round {
  incidentId: number;
  step: number;
  open: number;
  delivered: boolean;
}

export interface UnreachedRound {
  incidentId: number;
  step: number;
  roundKey: string;
}

/**
 * Watches each tier round's deliveries settle. A round whose every delivery ended without one
 * being taken (each refused, failed after its retries, or nobody at the console) reached nobody,
 * however many it tried: `onUnreached` says so once, so the incident moves on at once instead of
 * waiting out the acknowledgement timer for people who never heard.
 */
export class RoundTracker {
  #rounds = new Map<string, Round>();
  onUnreached: (round: UnreachedRound) => void = () => {};

  /** Adds `count` deliveries still out to a round (a new round, or rows taken up after a restart). */
  track(roundKey: string, incidentId: number, step: number, count: number, delivered = false): void {
    const key = `${incidentId}|${roundKey}`;
    const round = this.#rounds.get(key);
    if (round) {
      round.open += count;
      round.delivered ||= delivered;
    } else this.#rounds.set(key, { incidentId, step, open: count, delivered });
  }

  /** One delivery of the round is done: taken (`sent`) or finally not. */
  settle(roundKey: string, incidentId: number, sent: boolean): void {
    const key = `${incidentId}|${roundKey}`;
    const round = this.#rounds.get(key);
    if (!round) return;
    round.delivered ||= sent;
    round.open--;
    if (round.open > 0) return;
    this.#rounds.delete(key);
    if (!round.delivered) this.onUnreached({ incidentId, step: round.step, roundKey });
  }

  get size(): number {
    return this.#rounds.size;
  }
}
