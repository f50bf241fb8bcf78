import { CableTemperatureDetector } from "../../../firmware/detectors/cable-temperature";
import { ChargingDetector } from "../../../firmware/detectors/charging";
import type { Detector } from "../../../firmware/detectors/events";
import { HeatDetector } from "../../../firmware/detectors/heat";
import { LeakageDetector } from "../../../firmware/detectors/leakage";
import { OvercurrentDetector } from "../../../firmware/detectors/overcurrent";
import { SmokeDetector } from "../../../firmware/detectors/smoke";
import { Trace, type TraceSpec } from "../../support/traces";
import { serveScenario } from "./scenario";

/**
 * Plays synthesized traces through the detectors inside XS. A session holds one detector and
 * one trace; `play` advances both by `count` samples (a simulated week goes in chunks, each one
 * XS call) and answers every event with its sample index, time, evidence and detector state.
 * `faults` (optional) gives driver fault codes by sample range, as a driver would report them.
 */
interface Start {
  op: "start";
  session: string;
  detector: "smoke" | "heat" | "overcurrent" | "leakage" | "charging" | "cable";
  settings: any;
  trace: TraceSpec;
  faults?: Array<{ fromIndex: number; toIndex: number; code: number }>;
}
interface Play {
  op: "play";
  session: string;
  count: number;
  /** Stop early at the first event of this kind (and severity), to measure a response time. */
  stopAt?: { kind: string; severity?: string; state?: string };
}

interface Session {
  detector: Detector;
  trace: Trace;
  faults: Start["faults"];
  min: number;
  max: number;
}

const sessions = new Map<string, Session>();

function create(request: Start): Detector {
  switch (request.detector) {
    case "smoke":
      return new SmokeDetector(request.settings);
    case "heat":
      return new HeatDetector(request.settings, "ntc");
    case "overcurrent":
      return new OvercurrentDetector(request.settings);
    case "leakage":
      return new LeakageDetector(request.settings);
    case "charging":
      return new ChargingDetector(request.settings);
    case "cable":
      return new CableTemperatureDetector(request.settings);
  }
}

function play(request: Play) {
  const session = sessions.get(request.session);
  if (!session) throw new Error(`no session ${request.session}`);
  const { detector, trace, faults } = session;
  const events: unknown[] = [];
  let played = 0;
  for (; played < request.count; played++) {
    const index = trace.index;
    const timeMs = trace.timeMs(index);
    const value = trace.next();
    let fault = 0;
    if (faults) for (const f of faults) if (index >= f.fromIndex && index < f.toIndex) fault = f.code;
    const sample = fault ? NaN : value;
    if (sample < session.min) session.min = sample;
    if (sample > session.max) session.max = sample;
    const count = detector.update(sample, timeMs, fault);
    let stop = false;
    for (let i = 0; i < count; i++) {
      const e = detector.events.slots[i];
      events.push({ index, timeMs, kind: e.kind, severity: e.severity, state: e.state, value: e.value, threshold: e.threshold, fault: e.fault, evidence: detector.evidence(), detector: detector.snapshot() });
      const s = request.stopAt;
      if (s && e.kind === s.kind && (!s.severity || e.severity === s.severity) && (!s.state || e.state === s.state)) stop = true;
    }
    if (stop) {
      played++;
      break;
    }
  }
  return { events, played, index: trace.index, snapshot: detector.snapshot(), min: session.min, max: session.max };
}

serveScenario((request: Start | Play | { op: "end"; session: string }) => {
  switch (request.op) {
    case "start":
      sessions.set(request.session, { detector: create(request), trace: new Trace(request.trace), faults: request.faults, min: Infinity, max: -Infinity });
      return { ok: true };
    case "play":
      return play(request);
    case "end":
      sessions.delete(request.session);
      return { ok: true };
  }
});
