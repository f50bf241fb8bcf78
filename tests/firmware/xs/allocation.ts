import { ChargingDetector } from "../../../firmware/detectors/charging";
import type { Detector } from "../../../firmware/detectors/events";
import { HeatDetector } from "../../../firmware/detectors/heat";
import { LeakageDetector } from "../../../firmware/detectors/leakage";
import { OvercurrentDetector } from "../../../firmware/detectors/overcurrent";
import { SmokeDetector } from "../../../firmware/detectors/smoke";
import { defaultChargingSettings, defaultSensingConfig } from "../../../firmware/sensing-config";
import { Trace } from "../../support/traces";
import { serveScenario } from "./scenario";

declare function gc(): void;

/**
 * Plays samples that raise no event through each detector in one crank, so the host can compare
 * the live heap before and after: a per-sample path that allocates leaves garbage behind.
 */
const config = defaultSensingConfig();
const e = config.electrical!;
const detectors: Record<string, { detector: Detector; samples: Float32Array }> = {};
function add(name: string, detector: Detector, baseline: number, noise: number): void {
  const samples = new Float32Array(2_000);
  new Trace({ intervalMs: 1000, baseline, noise, seed: 3 }).fill(samples);
  detectors[name] = { detector, samples };
}
add("smoke", new SmokeDetector(config.smoke!), 300, 3);
add("heat", new HeatDetector(config.heat!, "ntc"), 24, 0.05);
add("overcurrent", new OvercurrentDetector({ ...e.overcurrent, intervalMs: e.intervalMs }), 8, 0.2);
add("leakage", new LeakageDetector({ ...e.leakage, intervalMs: e.intervalMs }), 5, 2);
add("charging", new ChargingDetector({ ...defaultChargingSettings(), intervalMs: e.intervalMs }), 0.8, 0.01);
let t = 0;

serveScenario((request: { op: "gc" } | { op: "play"; detector: string; count: number }) => {
  if (request.op === "gc") {
    gc();
    return 0;
  }
  const { detector, samples } = detectors[request.detector];
  let events = 0;
  for (let i = 0; i < request.count; i++) events += detector.update(samples[i % samples.length], (t += 1000));
  return events;
});
