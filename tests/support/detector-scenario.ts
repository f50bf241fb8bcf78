import type { TraceSpec } from "./traces";
import type { XsScenario } from "./xs";

export interface PlayedEvent {
  index: number;
  timeMs: number;
  kind: string;
  severity: string;
  state: string;
  value: number;
  threshold: number;
  fault: number;
  evidence: number[];
  detector: Record<string, number>;
}

export interface PlayResult {
  events: PlayedEvent[];
  played: number;
  index: number;
  snapshot: Record<string, number>;
  min: number;
  max: number;
}

let sessions = 0;

/** Drives tests/firmware/xs/detectors.ts: one detector and one trace, played in chunks inside XS. */
export async function playTrace(
  xs: XsScenario,
  options: {
    detector: "smoke" | "heat" | "overcurrent" | "leakage" | "charging" | "cable";
    settings: unknown;
    trace: TraceSpec;
    samples: number;
    chunk?: number;
    faults?: Array<{ fromIndex: number; toIndex: number; code: number }>;
    stopAt?: { kind: string; severity?: string; state?: string };
  },
): Promise<PlayResult & { compute: number }> {
  const session = `s${++sessions}`;
  const started = await xs.call<{ ok?: boolean; thrown?: string }>({ op: "start", session, detector: options.detector, settings: options.settings, trace: options.trace, faults: options.faults });
  if (started.value.thrown) throw new Error(started.value.thrown);
  const events: PlayedEvent[] = [];
  let last: PlayResult | undefined;
  let compute = 0;
  let remaining = options.samples;
  const chunk = options.chunk ?? 86_400;
  while (remaining > 0) {
    const count = Math.min(chunk, remaining);
    const { value, meter } = await xs.call<PlayResult & { thrown?: string }>({ op: "play", session, count, stopAt: options.stopAt });
    if (value.thrown) throw new Error(value.thrown);
    compute += meter.compute;
    events.push(...value.events);
    remaining -= value.played;
    last = value;
    if (value.played < count) break;
  }
  await xs.call({ op: "end", session });
  return { ...last!, events, compute };
}
