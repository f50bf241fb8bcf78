import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { AlarmFeed } from "../alarms/alarm-feed";
import { ALARM_BURST, ALARM_REFILL_MS, NodeBudgets, tally } from "../alarms/node-budget";
import { clearIncidentPending, pendingIncidentAlarms } from "../alarms/queries";
import type { Db } from "../db/client";
import { incidents, type Hazard, type RoutingGapReason } from "../db/schema";
import type { Logger } from "../log";
import type { Notifier } from "../notify/notifier";
import type { IncidentChange, NotifyPurpose } from "../notify/message";
import type { Place } from "../places/queries";
import { placesOnPath } from "../routing/queries";
import type { RoutingDirectory } from "../routing/directory";
import { chooseRecipients } from "../routing/router";
import { recordRoutingGap } from "../routing/gaps";
import { ruleFor, tierAt } from "../routing/rules";
import { loadStaff } from "../staff/queries";
import type { Scheduler } from "../time/scheduler";
import type { Urgency } from "../time/urgency";
import type { IncidentConfig } from "./config";
import { classifyAlarm, FIRE_CLASS, maxSeverity } from "./hazards";
import {
  findOpenIncident,
  findReopenable,
  firstRoundHandedOn,
  getIncident,
  incidentsWithTimers,
  insertIncident,
  foldTriggers,
  nodeLocations,
  recordEvent,
  updateIncidentIf,
} from "./queries";
import { readingWords, type ReadingWords } from "./reading";
import type { Trigger } from "./trigger";
import { toIncidentView, type IncidentRow } from "./view";

interface Item {
  key: string;
  hazard: Hazard;
  raised: boolean;
  severity: string;
  placeId: string | null;
  placePath: string | null;
  nodeId: string | null;
  alarmId: number | null;
  atMs: number;
  /** The trigger's own codes ("smoke 1180 raw (threshold 710)"), kept in the event for crews. */
  detail: string;
  /** The same reading in staff's words and real units, for the summary; null keeps the summary as it is. */
  reading: ReadingWords | null;
  actor: string;
  /** The trigger it came from; absent for a person's finding (a failed re-check). */
  trigger?: Trigger;
}

/** Consecutive triggers of one key in one state, handled as one step. */
interface Run {
  first: Item;
  last: Item;
  count: number;
  severity: string;
  items: Item[];
}

export interface DeskDeps {
  db: Db;
  scheduler: Scheduler;
  log: Logger;
  notifier: Notifier;
  config: IncidentConfig;
  /** Marked while the main lane has triggers, so work that can wait does (Urgency). */
  urgency?: Urgency;
  /** The people and channels routing reads, kept while they do not change; read afresh per round without it. */
  directory?: RoutingDirectory;
}

/** Pending alarms read back per query when taking up work from the database. */
const RESUME_PAGE = 2000;
/** How long the overflow lane gathers triggers before working them. */
const OVERFLOW_GATHER_MS = 50;
/** After a batch failed (database locked, disk full), its alarms are taken up again from the database this much later. */
const RETRY_AFTER_MS = 1000;

/**
 * The incident stage: turns stored alarms and resident reports into incidents, one per
 * (place, hazard), and hands each notification round to the router. Triggers are queued and
 * worked in batches, so a storm from one place folds into one incident with one round of
 * notifications, whatever the rate it arrives at. Two lanes: triggers of nodes within their
 * alarm budget are worked at once; those of a node past it (a flood: broken or compromised)
 * wait in an overflow lane, gathered and worked in large batches (a flood folds into one step
 * per batch), so however many alarms a few nodes send, another node's alarm waits only for the
 * main lane's slice under way.
 *
 * The hand-off is durable: the ingest stores each alarm marked `incident_pending` in the same
 * transaction, and the desk clears the mark only once the alarm's incident is settled and its
 * notifications are handed to the notifier. At start, and after a failed batch, the desk takes
 * up whatever is still marked, so a crash between the commit (and PUBACK) and the desk still
 * yields the incident. Taken up again, an alarm whose incident was opened but whose round was
 * never handed on gets that round now; one whose round was handed on folds in and pages nobody.
 * The window left is a crash during the round itself: then some people are told twice
 * (at-least-once, never zero).
 */
export class IncidentDesk {
  readonly #deps: DeskDeps;
  /** Triggers within their nodes' budgets, worked at once. */
  #queue: Trigger[] = [];
  #working = false;
  /** Triggers of nodes over their budget, gathered and worked apart (see submit). */
  #overflow: Trigger[] = [];
  #overflowWorking = false;
  /** Per node: triggers in the main lane (queued or in hand), and in the overflow lane. */
  #urgentFor = new Map<string, number>();
  #overflowFor = new Map<string, number>();
  #idle: Array<() => void> = [];
  #timers = new Map<string, () => void>();
  #lastFoldBroadcast = new Map<number, number>();
  /** Console broadcasts and webhook hand-offs started by the intake loop, which does not wait for them. */
  #side = new Set<Promise<void>>();
  #stopped = false;
  /** Alarm ids queued or being worked, so taking up pending work never queues one twice. */
  #inHand = new Set<number>();
  /** Triggers a node may bring before they go to the overflow lane: the ingest's alarm budget. */
  #budgets = new NodeBudgets(ALARM_BURST, ALARM_REFILL_MS);
  #retryTimer: NodeJS.Timeout | undefined;
  /** Items of triggers already located, kept while they wait (a slice put them off). */
  #located = new WeakMap<Trigger, Item>();

  constructor(deps: DeskDeps) {
    this.#deps = deps;
  }

  /** Takes every alarm the ingest stores from now on. */
  attach(feed: AlarmFeed): () => void {
    return feed.subscribe((alarm) => this.submit({ source: "alarm", alarm, receivedAtMs: Date.parse(alarm.receivedAt) }));
  }

  submit(trigger: Trigger): void {
    if (this.#stopped) return;
    const node = trigger.source === "alarm" ? trigger.alarm.nodeId : null;
    if (trigger.source === "alarm") {
      if (this.#inHand.has(trigger.alarm.id)) return;
      this.#inHand.add(trigger.alarm.id);
    }
    // A node over its budget, or with triggers still waiting there, goes to the overflow lane:
    // in its own order, apart from everyone else's, never dropped.
    if (node !== null && (this.#overflowFor.has(node) || !this.#budgets.take(node, this.#deps.scheduler.now()))) {
      tally(this.#overflowFor, node, 1);
      this.#overflow.push(trigger);
      if (!this.#overflowWorking) void this.#workOverflow();
      return;
    }
    if (node !== null) tally(this.#urgentFor, node, 1);
    this.#queue.push(trigger);
    if (!this.#working) void this.#work();
  }

  /** Resolves when every trigger submitted so far has been handled. */
  async idle(): Promise<void> {
    while (this.#working || this.#queue.length || this.#overflowWorking || this.#overflow.length || this.#side.size) {
      if (this.#working || this.#queue.length || this.#overflowWorking || this.#overflow.length) await new Promise<void>((resolve) => this.#idle.push(resolve));
      await Promise.all([...this.#side]);
    }
  }

  /**
   * Tells the console and webhooks of a change without holding up the next trigger: the intake
   * loop's own writes stay at what the first notification needs.
   */
  #changed(row: IncidentRow, change: IncidentChange): void {
    const work = this.#deps.notifier.incidentChanged(toIncidentView(row), change).catch((error: Error) => {
      this.#deps.log("error", "could not announce an incident change", { incident: row.id, change, error: error.message });
    });
    this.#side.add(work);
    void work.finally(() => this.#side.delete(work));
  }

  /** Triggers waiting in either lane. */
  get queued(): number {
    return this.#queue.length + this.#overflow.length;
  }

  /** Re-arms escalations, flap holds and re-checks left by an earlier run, and takes up the alarms it left unhandled. */
  async start(): Promise<void> {
    for (const row of await incidentsWithTimers(this.#deps.db)) this.#armTimers(row);
    await this.resumePending();
  }

  /** Queues every stored alarm still marked for the desk and not already in hand; returns how many. */
  async resumePending(): Promise<number> {
    let queued = 0;
    let after = 0;
    for (;;) {
      const page = await pendingIncidentAlarms(this.#deps.db, RESUME_PAGE, after);
      for (const alarm of page) {
        if (this.#inHand.has(alarm.id)) continue;
        this.submit({ source: "alarm", alarm, receivedAtMs: Date.parse(alarm.receivedAt), resumed: true });
        queued++;
      }
      if (page.length < RESUME_PAGE) break;
      after = page[page.length - 1].id;
    }
    if (queued > 0) this.#deps.log("info", "incident desk took up stored alarms left unhandled", { alarms: queued });
    return queued;
  }

  #retryLater(): void {
    if (this.#stopped || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.resumePending().catch((error: Error) => {
        this.#deps.log("error", "incident desk could not read pending alarms; trying again", { error: error.message });
        this.#retryLater();
      });
    }, RETRY_AFTER_MS);
    this.#retryTimer.unref?.();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
  }

  // ── intake ────────────────────────────────────────────────────────────────

  /** The main lane: batches of whatever arrived. */
  async #work(): Promise<void> {
    this.#working = true;
    const done = this.#deps.urgency?.begin();
    try {
      while (this.#queue.length) {
        const batch = this.#queue.splice(0);
        const deferred = await this.#workBatch(batch, true);
        for (const t of batch) if (t.source === "alarm" && !deferred.has(t)) tally(this.#urgentFor, t.alarm.nodeId, -1);
        // Still in hand: worked with the next batch, sorted again with what arrived meanwhile
        // (lightest nodes first, then in order of arrival, so these go before newer equals).
        this.#queue.unshift(...deferred);
      }
    } finally {
      done?.();
      this.#working = false;
      this.#wake();
    }
  }

  /**
   * The overflow lane: a node's overflow waits while any of its earlier
   * triggers are still in the main lane, so each node's triggers are worked in the order they came.
   */
  async #workOverflow(): Promise<void> {
    this.#overflowWorking = true;
    try {
      while (this.#overflow.length && !this.#stopped) {
        // A flood's triggers fold into one step per batch (collapseFlaps): gathering them for a
        // moment makes fewer, larger batches, each costing the database the same few statements.
        await new Promise((resolve) => setTimeout(resolve, OVERFLOW_GATHER_MS));
        const ready: Trigger[] = [];
        const waiting: Trigger[] = [];
        for (const t of this.#overflow.splice(0)) (t.source === "alarm" && this.#urgentFor.has(t.alarm.nodeId) ? waiting : ready).push(t);
        this.#overflow.unshift(...waiting);
        if (!ready.length) continue;
        await this.#workBatch(ready, false);
        for (const t of ready) if (t.source === "alarm") tally(this.#overflowFor, t.alarm.nodeId, -1);
      }
    } finally {
      this.#overflowWorking = false;
      this.#wake();
    }
  }

  #wake(): void {
    if (this.#working || this.#overflowWorking) return;
    this.#idle.splice(0).forEach((wake) => wake());
  }

  /** Works one batch of a lane and clears its handled alarms' marks; returns the triggers it put off. */
  async #workBatch(batch: Trigger[], mayDefer: boolean): Promise<Set<Trigger>> {
    let handled: number[] = [];
    let deferred = new Set<Trigger>();
    try {
      const worked = await this.#handleBatch(batch, mayDefer);
      handled = worked.handled;
      deferred = new Set(worked.deferred);
    } catch (error) {
      this.#deps.log("error", "incident stage could not handle triggers", { count: batch.length, error: (error as Error).message });
      for (const t of batch) if (t.source === "report") t.done(null);
    }
    try {
      await clearIncidentPending(this.#deps.db, handled);
    } catch (error) {
      // Still marked: taken up again later, and folded into the incident they already reached.
      this.#deps.log("error", "incident stage could not clear handled alarms", { count: handled.length, error: (error as Error).message });
      this.#retryLater();
    }
    const settled = batch.filter((t) => !deferred.has(t));
    for (const t of settled) if (t.source === "alarm") this.#inHand.delete(t.alarm.id);
    const unhandled = settled.filter((t) => t.source === "alarm").length - handled.length;
    // What failed stays marked in the database; take it up again shortly.
    if (unhandled > 0) this.#retryLater();
    return deferred;
  }

  /**
   * Works a batch; returns the ids of the alarms whose incident is settled and, in the main lane,
   * the triggers of groups it put off because new triggers arrived while it worked.
   */
  async #handleBatch(batch: Trigger[], mayDefer: boolean): Promise<{ handled: number[]; deferred: Trigger[] }> {
    const handled: number[] = [];
    const items = await this.#locate(batch);
    const groups = new Map<string, Item[]>();
    for (const item of items) {
      const group = groups.get(item.key);
      if (group) group.push(item);
      else groups.set(item.key, [item]);
    }
    const ordered = byNodeWeight(groups);
    const { deskSliceMs, deskBacklogSliceMs, deskBacklogGroups } = this.#deps.config;
    const sliceMs = ordered.length > deskBacklogGroups ? Math.max(deskSliceMs, deskBacklogSliceMs) : deskSliceMs;
    let sliceStart = performance.now();
    for (let g = 0; g < ordered.length; g++) {
      if (g > 0 && performance.now() - sliceStart >= sliceMs) {
        // The embedded client answers within the same task (its statements are synchronous), so
        // a batch of hundreds of incidents ran as one task: no socket read, no PUBACK, no API
        // answer for its whole length (bench:flood: 357 ms stalls). A turn of the loop once a
        // slice is spent bounds that; a turn per group instead made each of 50 genuine incidents
        // wait for a whole turn of the ingest's writes (bench:flood: p50 1.4 s).
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
        // Many nodes' alarms at once (a hundred compromised nodes within their budgets): what is
        // left of the batch is sorted again with whatever arrived during that turn, so a new
        // alarm from a quiet node waits for one slice, not for the whole batch.
        if (mayDefer && this.#queue.length > 0) {
          const deferred = ordered.slice(g).flat().flatMap((item) => (item.trigger ? [item.trigger] : []));
          return { handled, deferred };
        }
      }
      for (const run of collapseFlaps(toRuns(ordered[g]))) {
        try {
          const incidentId = run.first.raised ? await this.#raised(run) : await this.#cleared(run);
          for (const item of run.items) {
            if (item.trigger?.source === "report") item.trigger.done(incidentId);
            else if (item.alarmId !== null) handled.push(item.alarmId);
          }
        } catch (error) {
          this.#deps.log("error", "incident stage failed on a trigger", { key: run.first.key, error: (error as Error).message });
          for (const item of run.items) if (item.trigger?.source === "report") item.trigger.done(null);
        }
      }
    }
    return { handled, deferred: [] };
  }

  /**
   * Each trigger as an item: its key, place and reading. A trigger put off by a slice keeps the
   * item it was given (#located), so a backlog sorted again with each new arrival is not read
   * again: under bench:storm re-reading 250 waiting alarms' places, one query each, took 60–100
   * ms per slice and left two incidents a slice. New alarms' places are read in one query.
   */
  async #locate(batch: Trigger[]): Promise<Item[]> {
    const { db } = this.#deps;
    const unplaced = new Set<string>();
    for (const trigger of batch) if (trigger.source === "alarm" && !this.#located.has(trigger)) unplaced.add(trigger.alarm.nodeId);
    const nodePlaces = unplaced.size ? await nodeLocations(db, [...unplaced]) : new Map<string, { placeId: string | null; path: string | null }>();
    const items: Item[] = [];
    for (const trigger of batch) {
      const known = this.#located.get(trigger);
      if (known) {
        items.push(known);
        continue;
      }
      let item: Item;
      if (trigger.source === "alarm") {
        const { alarm } = trigger;
        const where = nodePlaces.get(alarm.nodeId)!;
        const hazard = classifyAlarm(alarm.kind, alarm.severity);
        item = {
          key: `${where.placeId ?? `node:${alarm.nodeId}`}|${hazard}`,
          hazard,
          raised: alarm.state !== "cleared",
          severity: alarm.severity,
          placeId: where.placeId,
          placePath: where.path,
          nodeId: alarm.nodeId,
          alarmId: alarm.id,
          atMs: trigger.receivedAtMs,
          detail: `${alarm.kind} ${alarm.value} ${alarm.unit} (threshold ${alarm.threshold})`,
          reading: readingWords(alarm),
          actor: "system",
          trigger,
        };
      } else {
        const [place] = await placesOnPath(db, `${trigger.placeId}/`);
        item = {
          key: `${trigger.placeId}|resident-report`,
          hazard: "resident-report",
          raised: true,
          severity: "alarm",
          placeId: trigger.placeId,
          placePath: place?.path ?? null,
          nodeId: null,
          alarmId: null,
          atMs: trigger.atMs,
          detail: trigger.description.slice(0, 200),
          reading: { zh: trigger.description.slice(0, 200), en: trigger.description.slice(0, 200) },
          actor: "reporter",
          trigger,
        };
      }
      this.#located.set(trigger, item);
      items.push(item);
    }
    return items;
  }

  async #raised(run: Run): Promise<number> {
    const { db } = this.#deps;
    const { first, last } = run;
    for (let attempt = 0; attempt < 3; attempt++) {
      const open = await findOpenIncident(db, first.key);
      if (open) {
        // The summary follows the newest reading: a fire growing after 13 more triggers reads as it is now.
        const summary = (await this.#summary(last)) ?? open.summary;
        const folded = await foldTriggers(db, open.id, first.key, run.count, maxSeverity(open.severity, run.severity), last.atMs, summary);
        if (!folded) continue; // resolved meanwhile: look again
        if (open.sourceClearedAt !== null || open.autoResolveAt !== null) {
          this.#cancel(`auto:${open.id}`);
          // A node flapping between alarm and normal stays one incident, and nobody is paged again.
          await recordEvent(db, { incidentId: open.id, at: first.atMs, type: "raised-again", actor: "system", detail: { suppressed: true, triggers: run.count } });
        }
        if (run.items.some((item) => item.trigger?.source === "alarm" && item.trigger.resumed) && !(await firstRoundHandedOn(db, open.id))) {
          // An earlier run opened it and died before anyone was told: tell them now.
          const staffIds = await this.#notifyTier(folded, 0, "notify");
          await recordEvent(db, { incidentId: open.id, at: this.#deps.scheduler.now(), type: "notified", actor: "system", detail: { step: 0, tier: 0, staff: staffIds, resumed: true } });
          this.#armTimers(folded);
        }
        this.#broadcastFold(folded);
        return open.id;
      }
      const previous = await findReopenable(db, { placeId: first.placeId, nodeId: first.nodeId, hazard: first.hazard });
      const reopened = previous ? await this.#reopen(previous, run, "trigger", first.actor) : await this.#open(run);
      if (reopened) return reopened.id;
    }
    throw new Error(`could not settle the incident for ${first.key}`);
  }

  async #open(run: Run): Promise<IncidentRow | null> {
    const { db, config } = this.#deps;
    const { first, last } = run;
    const chain = first.placePath ? await placesOnPath(db, first.placePath) : [];
    const { policy } = ruleFor(first.hazard, run.severity, this.#policy());
    const row = await insertIncident(db, {
      hazard: first.hazard,
      severity: run.severity,
      status: "open",
      openKey: first.key,
      placeId: first.placeId,
      placePath: first.placePath,
      communityId: chain.find((p) => p.level === "community")?.id ?? null,
      nodeId: first.nodeId,
      firstAlarmId: first.alarmId,
      summary: summarize(last, chain) ?? "",
      triggerCount: run.count,
      escalationStep: 0,
      nextEscalationAt: policy.maxEscalations > 0 ? first.atMs + config.ackTimeoutMs : null,
      openedAt: first.atMs,
      lastTriggerAt: last.atMs,
      lastNotifiedAt: first.atMs,
      updatedAt: first.atMs,
    });
    if (!row) return null; // another instance opened it first; the caller folds into that one
    // Notify before anything else is written: the people are what the seconds are for.
    const staffIds = await this.#notifyTier(row, 0, "notify", chain);
    await recordEvent(
      db,
      {
        incidentId: row.id,
        at: first.atMs,
        type: "opened",
        actor: first.actor,
        detail: { alarmId: first.alarmId, nodeId: first.nodeId, detail: first.detail, triggers: run.count },
      },
      { incidentId: row.id, at: this.#deps.scheduler.now(), type: "notified", actor: "system", detail: { step: 0, tier: 0, staff: staffIds } },
    );
    this.#armTimers(row);
    this.#changed(row, "opened");
    return row;
  }

  async #reopen(previous: IncidentRow, run: Run, why: "trigger" | "recheck", actor: string): Promise<IncidentRow | null> {
    const { db, config, scheduler } = this.#deps;
    const at = run.first.atMs;
    const { policy } = ruleFor(previous.hazard, run.severity, this.#policy());
    const flapping = previous.lastNotifiedAt !== null && at - previous.lastNotifiedAt < config.flapWindowMs;
    const summary = (await this.#summary(run.last)) ?? previous.summary;
    let row: IncidentRow | null;
    try {
      row = await updateIncidentIf(db, previous.id, and(eq(incidents.status, "resolved"), isNull(incidents.openKey)), {
        status: "open",
        openKey: run.first.key,
        severity: run.severity,
        reopenedCount: sql`${incidents.reopenedCount} + 1`,
        triggerCount: sql`${incidents.triggerCount} + ${run.count}`,
        lastTriggerAt: run.last.atMs,
        summary,
        resolvedAt: null,
        resolvedBy: null,
        recheckDueAt: null,
        recheckAssigneeId: null,
        recheckNotifiedAt: null,
        sourceClearedAt: null,
        autoResolveAt: null,
        escalationStep: 0,
        nextEscalationAt: policy.maxEscalations > 0 ? at + config.ackTimeoutMs : null,
        lastNotifiedAt: flapping ? previous.lastNotifiedAt : at,
        updatedAt: at,
      });
    } catch (error) {
      if (/UNIQUE/i.test((error as Error).message)) return null; // a new incident is already open for this key
      throw error;
    }
    if (!row) return null;
    this.#cancel(`recheck:${row.id}`);
    const staffIds = flapping ? [] : await this.#notifyTier(row, 0, "reopen");
    await recordEvent(
      db,
      { incidentId: row.id, at, type: "reopened", actor, detail: { why, notified: !flapping, reason: flapping ? "flapping: notified moments ago" : undefined } },
      ...(flapping ? [] : [{ incidentId: row.id, at: scheduler.now(), type: "notified", actor: "system", detail: { step: 0, tier: 0, staff: staffIds } }]),
    );
    this.#armTimers(row);
    this.#changed(row, "reopened");
    return row;
  }

  /** The summary for `item`'s reading at its place; null when the item carries no reading. */
  async #summary(item: Item): Promise<string | null> {
    if (!item.reading) return null;
    return summarize(item, item.placePath ? await placesOnPath(this.#deps.db, item.placePath) : []);
  }

  async #cleared(run: Run): Promise<number | null> {
    const { db, config } = this.#deps;
    const { first } = run;
    const open = await findOpenIncident(db, first.key);
    if (!open || open.sourceClearedAt !== null) return open?.id ?? null;
    const selfClearing = !FIRE_CLASS.has(open.hazard) && ruleFor(open.hazard, open.severity, this.#policy()).rule.selfClearing;
    const row = await updateIncidentIf(db, open.id, eq(incidents.openKey, first.key), {
      sourceClearedAt: first.atMs,
      autoResolveAt: selfClearing ? first.atMs + config.clearHoldMs : null,
      updatedAt: first.atMs,
    });
    if (!row) return null;
    await recordEvent(db, {
      incidentId: row.id,
      at: first.atMs,
      type: "source-cleared",
      actor: "system",
      detail: selfClearing
        ? { autoResolveAt: new Date(row.autoResolveAt!).toISOString() }
        : { waitsFor: "a person to confirm: a node reading normal does not prove a fire is out" },
    });
    this.#armTimers(row);
    this.#changed(row, "source-cleared");
    return row.id;
  }

  #broadcastFold(row: IncidentRow): void {
    const now = this.#deps.scheduler.now();
    const last = this.#lastFoldBroadcast.get(row.id);
    if (last !== undefined && now - last < this.#deps.config.foldBroadcastMs) return;
    if (this.#lastFoldBroadcast.size > 10_000) this.#lastFoldBroadcast.clear();
    this.#lastFoldBroadcast.set(row.id, now);
    void this.#deps.notifier.incidentChanged(toIncidentView(row), "updated", { webhooks: false });
  }

  // ── notification rounds ───────────────────────────────────────────────────

  #policy() {
    return { ackTimeoutMs: this.#deps.config.ackTimeoutMs, maxEscalations: this.#deps.config.maxEscalations };
  }

  /**
   * Sends one tier's round; returns the staff ids chosen (delivery is tracked per delivery). A
   * round with no way to anyone (nobody of those roles on duty there, or nobody with a phone, a
   * provider, an open console or a group robot) is a routing gap: recorded, and escalated at once.
   */
  async #notifyTier(row: IncidentRow, step: number, purpose: NotifyPurpose, chain?: readonly Place[]): Promise<number[]> {
    const { db, scheduler, config, notifier } = this.#deps;
    const { tiers } = ruleFor(row.hazard, row.severity, this.#policy());
    const tier = tierAt(tiers, step);
    const directory = await this.#deps.directory?.current();
    const recipients = await chooseRecipients(db, row.placePath, tier, scheduler.now(), config.utcOffsetMinutes, { chain, directory });
    const report = await notifier.notifyRound(toIncidentView(row), {
      purpose,
      step,
      key: `${purpose}:${step}:r${row.reopenedCount}`,
      recipients,
      chat: tier.channels.includes("chat"),
      watched: true,
    });
    // A round taken up again after a crash finds its rows stored already: those are being worked.
    if (report.reachable === 0 && report.existing === 0) {
      this.#routingGap(row, step, recipients.length === 0 ? "nobody-on-duty" : "nobody-reachable", {
        roles: tier.targets,
        channels: tier.channels,
        people: report.people,
        robots: report.robots,
      });
    }
    return recipients.map((r) => r.staff.id);
  }

  /** Every delivery of a tier round ended without reaching anyone: a gap, and the next tier now. */
  roundUnreached(round: { incidentId: number; step: number }): void {
    const work = (async () => {
      const row = await getIncident(this.#deps.db, round.incidentId);
      if (row) this.#routingGap(row, round.step, "every-delivery-failed", { note: "every delivery of the round was refused or failed after its retries" });
    })().catch((error: Error) => this.#deps.log("error", "could not record a routing gap", { incident: round.incidentId, error: error.message }));
    this.#track(work);
  }

  #routingGap(row: IncidentRow, step: number, reason: RoutingGapReason, detail: Record<string, unknown>): void {
    const { db, scheduler, log } = this.#deps;
    const work = (async () => {
      const now = scheduler.now();
      await recordRoutingGap(db, { incidentId: row.id, hazard: row.hazard, placeId: row.placeId, placePath: row.placePath, step, reason, detail: JSON.stringify(detail), at: now });
      await recordEvent(db, { incidentId: row.id, at: now, type: "routing-gap", actor: "system", detail: { step, reason } });
      log("warn", "routing gap: a tier reached nobody; the next tier is told now", { incident: row.id, hazard: row.hazard, step, reason, place: row.placeId ?? "none" });
      await this.#escalateNow(row.id, step);
    })().catch((error: Error) => log("error", "could not handle a routing gap", { incident: row.id, error: error.message }));
    this.#track(work);
  }

  /** Brings the incident's next escalation forward to now, if it is still open at `step` and may escalate further. */
  async #escalateNow(id: number, step: number): Promise<void> {
    const { db, scheduler } = this.#deps;
    const row = await getIncident(db, id);
    if (!row || row.status !== "open" || row.escalationStep !== step || row.nextEscalationAt === null) return;
    const now = scheduler.now();
    const moved = await updateIncidentIf(db, id, and(eq(incidents.status, "open"), eq(incidents.escalationStep, step), eq(incidents.nextEscalationAt, row.nextEscalationAt)), {
      nextEscalationAt: now,
      updatedAt: now,
    });
    if (!moved) return;
    this.#cancel(`esc:${id}`);
    await this.#escalate(id, now);
  }

  /** Work started beside the intake loop, which idle() waits for. */
  #track(work: Promise<void>): void {
    this.#side.add(work);
    void work.finally(() => this.#side.delete(work));
  }

  /** Tells named people directly (a dispatch, a re-check that fell due). */
  async notifyStaff(row: IncidentRow, staffIds: number[], purpose: NotifyPurpose): Promise<void> {
    const people = await loadStaff(this.#deps.db, { ids: staffIds, activeOnly: true });
    await this.#deps.notifier.notifyPeople(
      toIncidentView(row),
      people.map((staff) => ({ staff, channels: ["console", "push", "sms"] })),
      purpose,
      row.escalationStep,
    );
  }

  // ── timers ────────────────────────────────────────────────────────────────

  /** Arms whichever of the incident's timers its row says are pending. */
  #armTimers(row: IncidentRow): void {
    if (this.#stopped) return;
    if (row.nextEscalationAt !== null && row.status === "open") {
      const at = row.nextEscalationAt;
      this.#arm(`esc:${row.id}`, at, () => this.#escalate(row.id, at));
    }
    if (row.autoResolveAt !== null) {
      const at = row.autoResolveAt;
      this.#arm(`auto:${row.id}`, at, () => this.#autoResolve(row.id, at));
    }
    if (row.status === "resolved" && row.recheckDueAt !== null && row.recheckNotifiedAt === null) {
      const at = row.recheckDueAt;
      this.#arm(`recheck:${row.id}`, at, () => this.#recheckDue(row.id, at));
    }
  }

  /** Lets the lifecycle actions re-arm timers after they change a row. */
  rearm(row: IncidentRow): void {
    this.#cancel(`esc:${row.id}`);
    this.#cancel(`recheck:${row.id}`);
    this.#armTimers(row);
  }

  #arm(name: string, atMs: number, task: () => Promise<void>): void {
    this.#cancel(name);
    const cancel = this.#deps.scheduler.at(atMs, async () => {
      if (this.#timers.get(name) === cancel) this.#timers.delete(name);
      try {
        await task();
      } catch (error) {
        this.#deps.log("error", "incident timer failed", { timer: name, error: (error as Error).message });
      }
    });
    this.#timers.set(name, cancel);
  }

  #cancel(name: string): void {
    this.#timers.get(name)?.();
    this.#timers.delete(name);
  }

  async #escalate(id: number, expectedAt: number): Promise<void> {
    const { db, scheduler, config } = this.#deps;
    const row = await getIncident(db, id);
    if (!row || row.status !== "open" || row.nextEscalationAt !== expectedAt) return;
    const now = scheduler.now();
    const { policy } = ruleFor(row.hazard, row.severity, this.#policy());
    const step = row.escalationStep + 1;
    const next = step < policy.maxEscalations ? now + config.ackTimeoutMs : null;
    const updated = await updateIncidentIf(
      db,
      id,
      and(eq(incidents.status, "open"), eq(incidents.escalationStep, row.escalationStep), eq(incidents.nextEscalationAt, expectedAt)),
      { escalationStep: step, nextEscalationAt: next, lastNotifiedAt: now, updatedAt: now },
    );
    if (!updated) return;
    const staffIds = await this.#notifyTier(updated, step, "escalate");
    await recordEvent(
      db,
      { incidentId: id, at: now, type: "escalated", actor: "system", detail: { step, unacknowledgedForMs: now - row.openedAt, staff: staffIds } },
      ...(next === null ? [{ incidentId: id, at: now, type: "escalation-limit-reached", actor: "system", detail: { steps: step } }] : []),
    );
    this.#armTimers(updated);
    await this.#deps.notifier.incidentChanged(toIncidentView(updated), "escalated");
  }

  async #autoResolve(id: number, expectedAt: number): Promise<void> {
    const { db, scheduler, config } = this.#deps;
    const row = await getIncident(db, id);
    if (!row || row.autoResolveAt !== expectedAt || row.openKey === null) return;
    const now = scheduler.now();
    const { rule } = ruleFor(row.hazard, row.severity, this.#policy());
    const assignee = rule.recheck ? await this.defaultRecheckAssignee(row) : null;
    const updated = await updateIncidentIf(db, id, and(eq(incidents.autoResolveAt, expectedAt), isNotNull(incidents.openKey)), {
      status: "resolved",
      openKey: null,
      resolvedAt: now,
      resolvedBy: "system",
      autoResolveAt: null,
      nextEscalationAt: null,
      recheckDueAt: rule.recheck ? now + config.recheckAfterMs : null,
      recheckAssigneeId: assignee,
      updatedAt: now,
    });
    if (!updated) return;
    this.#cancel(`esc:${id}`);
    await recordEvent(db, { incidentId: id, at: now, type: "resolved", actor: "system", detail: { reason: `source read normal for ${config.clearHoldMs / 1000} s` } });
    if (rule.recheck) await recordEvent(db, { incidentId: id, at: now, type: "recheck-scheduled", actor: "system", detail: { dueAt: new Date(updated.recheckDueAt!).toISOString(), assignee } });
    this.#armTimers(updated);
    await this.#deps.notifier.incidentChanged(toIncidentView(updated), "resolved");
  }

  async #recheckDue(id: number, expectedAt: number): Promise<void> {
    const { db, scheduler } = this.#deps;
    const now = scheduler.now();
    const updated = await updateIncidentIf(
      db,
      id,
      and(eq(incidents.status, "resolved"), eq(incidents.recheckDueAt, expectedAt), isNull(incidents.recheckNotifiedAt)),
      { recheckNotifiedAt: now, updatedAt: now },
    );
    if (!updated) return;
    await recordEvent(db, { incidentId: id, at: now, type: "recheck-due", actor: "system", detail: { assignee: updated.recheckAssigneeId } });
    if (updated.recheckAssigneeId !== null) await this.notifyStaff(updated, [updated.recheckAssigneeId], "recheck-due");
    await this.#deps.notifier.incidentChanged(toIncidentView(updated), "updated", { webhooks: false });
  }

  /** Who re-checks when nobody was named: the first person the incident's first tier reaches now. */
  async defaultRecheckAssignee(row: IncidentRow): Promise<number | null> {
    const { tiers } = ruleFor(row.hazard, row.severity, this.#policy());
    const recipients = await chooseRecipients(this.#deps.db, row.placePath, tiers[0], this.#deps.scheduler.now(), this.#deps.config.utcOffsetMinutes);
    return recipients[0]?.staff.id ?? null;
  }

  /** A re-check found the hazard still there: the same incident opens again. */
  async reopenAfterRecheck(row: IncidentRow, actor: string): Promise<IncidentRow | null> {
    const at = this.#deps.scheduler.now();
    const key = `${row.placeId ?? `node:${row.nodeId}`}|${row.hazard}`;
    const item: Item = {
      key,
      hazard: row.hazard,
      raised: true,
      severity: row.severity,
      placeId: row.placeId,
      placePath: row.placePath,
      nodeId: row.nodeId,
      alarmId: null,
      atMs: at,
      detail: "re-check found the hazard",
      reading: null,
      actor,
    };
    // A re-check is a person's finding, never a flap: it always notifies.
    return this.#reopen({ ...row, lastNotifiedAt: null }, { first: item, last: item, count: 0, severity: row.severity, items: [item] }, "recheck", actor);
  }
}

/**
 * A batch's groups, those whose nodes brought the fewest triggers first (stable): a node raising
 * one or two alarms is someone's fire; one that brought twenty at once (within its budget, or a
 * hundred compromised nodes at once) goes after them in the batch.
 */
function byNodeWeight(groups: Map<string, Item[]>): Item[][] {
  const perNode = new Map<string, number>();
  for (const group of groups.values()) for (const item of group) if (item.nodeId !== null) perNode.set(item.nodeId, (perNode.get(item.nodeId) ?? 0) + 1);
  const weight = (group: Item[]) => Math.max(0, ...group.map((item) => (item.nodeId === null ? 0 : perNode.get(item.nodeId)!)));
  return [...groups.values()].map((group) => ({ group, weight: weight(group) })).sort((a, b) => a.weight - b.weight).map((entry) => entry.group);
}


function toRuns(items: Item[]): Run[] {
  const runs: Run[] = [];
  for (const item of items) {
    const run = runs.at(-1);
    if (run && run.first.raised === item.raised) {
      run.last = item;
      run.count++;
      run.severity = maxSeverity(run.severity, item.severity);
      run.items.push(item);
    } else {
      runs.push({ first: item, last: item, count: 1, severity: item.severity, items: [item] });
    }
  }
  return runs;
}

/**
 * A key that flapped within one batch (raised, cleared, raised …) is worked as one raised run
 * and, if it ended cleared, its last cleared run: the same end state, and two steps instead of
 * one per flap (a node toggling thousands of times must not cost thousands of round trips).
 */
function collapseFlaps(runs: Run[]): Run[] {
  if (runs.length <= 2) return runs;
  const raised = runs.filter((run) => run.first.raised);
  const merged: Run = { first: raised[0].first, last: raised[raised.length - 1].last, count: 0, severity: raised[0].severity, items: [] };
  for (const run of raised) {
    merged.count += run.count;
    merged.severity = maxSeverity(merged.severity, run.severity);
    for (const item of run.items) merged.items.push(item);
  }
  const last = runs[runs.length - 1];
  // The cleared runs before the last change nothing once merged; their alarms are handled with the raised run.
  for (const run of runs) if (!run.first.raised && run !== last) for (const item of run.items) merged.items.push(item);
  return last.first.raised ? [merged] : [merged, last];
}

/**
 * Where and what, in words, Chinese first: "和平社区 / 1号楼 / 3层 · 烟雾浓度为报警线的 166% · smoke at
 * 166% of its alarm level". Messages put the hazard's name before it (notify/message.ts).
 */
function summarize(item: Item, chain: readonly Place[]): string | null {
  if (!item.reading) return null;
  const where = chain.length
    ? chain.filter((p) => p.level !== "street").map((p) => p.name).join(" / ")
    : `设备 ${item.nodeId}（未登记地点 no place assigned）`;
  const { zh, en } = item.reading;
  return `${where} · ${zh === en ? zh : `${zh} · ${en}`}`.slice(0, 500);
}
