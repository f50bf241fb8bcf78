import { afterEach, beforeEach, expect, it } from "vitest";
import { DeliveryQueue, sentOrThrow, type DeliveryOutcome } from "../../../cloud/notify/delivery-queue";
import type { OutboundMessage, ProviderChannel } from "../../../cloud/notify/providers/channel";
import { memoryLogger } from "../../../cloud/log";
import type { FakeProvider } from "../../support/fake-providers";
import { ManualScheduler } from "../../support/manual-scheduler";

export const MESSAGE: OutboundMessage = {
  text: "[守望] 告警 Alert: 火警 Fire alarm · Heping Community / No. 3 Compound / Building 1 · #1024",
  fields: { lead: "告警", hazard: "火警", place: "和平社区 3号院 1号楼", incident: "1024" },
  outId: "d-77",
  mentionPhones: ["+8613800000001"],
};

export interface ProviderCase<To> {
  /** Starts the provider-shaped server. */
  start(): Promise<FakeProvider>;
  /** The adapter pointed at it, with the right secret or a wrong one. */
  channel(fake: FakeProvider, secret: "right" | "wrong"): ProviderChannel<To>;
  /** The recipient: a phone, or a robot's address (whose secret may be the wrong one). */
  to(fake: FakeProvider, secret: "right" | "wrong"): To;
  /** Checks the request the provider took (method, path, parameters) beyond its signature. */
  expectAccepted(accepted: FakeProvider["accepted"][number]): void;
  /** The provider's throttling answer asks this long a wait (DingTalk's 10 minutes), if it names one. */
  throttleHintMs?: number;
  /** The adapter's answer to a wrong secret says so. */
  badSecret: RegExp;
  /** The permanent refusal the case provokes (a bad number, a removed robot). */
  permanent: { arrange(fake: FakeProvider): void; reason: RegExp };
}

const BASE_MS = 1000;

/**
 * The cases every provider adapter must pass, run against its provider-shaped server (the
 * pattern of Hono's router suite run against every router): a message taken with a signature the
 * server recomputed; a wrong secret refused and never retried; throttling retried through the
 * delivery queue with backoff; a permanent refusal given up at once.
 */
export function runProviderCases<To>(c: ProviderCase<To>): void {
  let fake: FakeProvider;
  beforeEach(async () => {
    fake = await c.start();
  });
  afterEach(() => fake.close());

  const queue = (secret: "right" | "wrong", scheduler: ManualScheduler, outcomes: DeliveryOutcome[]) =>
    new DeliveryQueue<OutboundMessage>({
      name: "provider-case",
      concurrency: 1,
      maxAttempts: 4,
      backoffMs: (attempt) => BASE_MS * 2 ** (attempt - 1),
      scheduler,
      log: memoryLogger(),
      send: async (message) => sentOrThrow(await c.channel(fake, secret).send(c.to(fake, secret), message, AbortSignal.timeout(5000))),
      record: (_, outcome) => void outcomes.push(outcome),
    });

  it("sends a message the provider accepts, signed as its documentation specifies", async () => {
    const outcome = await c.channel(fake, "right").send(c.to(fake, "right"), MESSAGE, AbortSignal.timeout(5000));
    expect(outcome).toMatchObject({ status: "accepted" });
    expect(fake.refused).toEqual([]);
    expect(fake.accepted).toHaveLength(1);
    expect(fake.hits[0].method).toBe("POST");
    c.expectAccepted(fake.accepted[0]);
  });

  it("is refused with a wrong secret, and gives up at once", async () => {
    const clock = { now: 0 };
    const scheduler = new ManualScheduler(clock);
    const outcomes: DeliveryOutcome[] = [];
    const q = queue("wrong", scheduler, outcomes);
    q.push(MESSAGE);
    await q.idle();
    await scheduler.advance(3_600_000);
    expect(fake.accepted).toEqual([]);
    expect(fake.hits).toHaveLength(1);
    expect(outcomes).toEqual([{ status: "failed", attempts: 1, error: expect.stringMatching(c.badSecret) }]);
  });

  it("retries the provider's throttling answer with growing waits until it is taken", async () => {
    const clock = { now: 0 };
    const scheduler = new ManualScheduler(clock);
    const outcomes: DeliveryOutcome[] = [];
    fake.script.push("throttle", "throttle");
    const q = queue("right", scheduler, outcomes);
    q.push(MESSAGE);
    await q.idle();
    expect(outcomes.map((o) => o.status)).toEqual(["retrying"]);
    const wait = (attempt: number) => Math.max(BASE_MS * 2 ** (attempt - 1), c.throttleHintMs ?? 0);
    // Nothing before the first wait is over; the second attempt exactly at it.
    await scheduler.advance(wait(1) - 1);
    expect(fake.hits).toHaveLength(1);
    await scheduler.advance(1);
    await q.idle();
    expect(fake.hits).toHaveLength(2);
    await scheduler.advance(wait(2) - 1);
    expect(fake.hits).toHaveLength(2);
    await scheduler.advance(1);
    await q.idle();
    expect(fake.hits).toHaveLength(3);
    expect(wait(2)).toBeGreaterThanOrEqual(wait(1));
    expect(outcomes.map((o) => o.status)).toEqual(["retrying", "retrying", "sent"]);
    expect(outcomes.at(-1)!.attempts).toBe(3);
    expect(fake.accepted).toHaveLength(1);
  });

  it("gives up at once on a permanent refusal", async () => {
    const clock = { now: 0 };
    const scheduler = new ManualScheduler(clock);
    const outcomes: DeliveryOutcome[] = [];
    c.permanent.arrange(fake);
    const q = queue("right", scheduler, outcomes);
    q.push(MESSAGE);
    await q.idle();
    await scheduler.advance(3_600_000);
    expect(fake.hits).toHaveLength(1);
    expect(outcomes).toEqual([{ status: "failed", attempts: 1, error: expect.stringMatching(c.permanent.reason) }]);
  });
}
