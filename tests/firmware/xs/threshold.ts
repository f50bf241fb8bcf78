import { ThresholdDetector } from "../../../firmware/detectors/threshold";
import { serveScenario } from "./scenario";

serveScenario((request: { raiseAt: number; clearAt: number; holdSamples: number; samples: number[] }) => {
  const detector = new ThresholdDetector(request);
  const changes: Array<[number, number]> = [];
  for (let i = 0; i < request.samples.length; i++) {
    const change = detector.update(request.samples[i]);
    if (change) changes.push([i, change]);
  }
  return { changes, active: detector.active, evidence: detector.evidence() };
});
