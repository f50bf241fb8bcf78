import { AcCurrentSampler } from "../../../firmware/drivers/ac-current";
import { NtcThermistor } from "../../../firmware/drivers/ntc-thermistor";
import { Tmp117 } from "../../../firmware/drivers/tmp117";
import type { AcChannelCalibration, NtcCalibration } from "../../../firmware/calibration";
import { simDevice, SimI2cBus, SimPins, type WaveformSpec } from "../../../firmware/platform/sim/sim-io";
import { SimMicroClock } from "../../../firmware/platform/sim/sim-micro-clock";
import { VirtualClock } from "../../../firmware/platform/sim/virtual-clock";
import { serveScenario } from "./scenario";

/** The drivers on the simulated device provider, inside XS: waveforms on ADC pins, registers on the I2C bus. */
const PINS = { current: 36, leakage: 39, heat: 35 };

type Request =
  | {
      op: "rms";
      calibration: AcChannelCalibration;
      waveform: WaveformSpec;
      /** On the second channel, sampled in the same burst. */
      leakageWaveform?: WaveformSpec;
      mainsHz: number;
      cycles: number;
      samplesPerCycle: number;
      bursts: number;
      stepMs: number;
    }
  | { op: "ntc"; calibration: NtcCalibration; adcFullScaleMv: number; counts: number[] }
  | { op: "tmp117"; steps: Array<{ registers?: Record<number, number>; detach?: boolean; reads: number }> };

serveScenario((request: Request) => {
  const clock = new VirtualClock();
  const microClock = new SimMicroClock(clock);
  const pins = new SimPins();
  const bus = new SimI2cBus();
  const device = simDevice(pins, { ...PINS, i2cSda: 21, i2cScl: 22 }, 12, { microClock, bus });
  switch (request.op) {
    case "rms": {
      pins.setWaveform(PINS.current, request.waveform);
      pins.setWaveform(PINS.leakage, request.leakageWaveform ?? { offsetCounts: 2048, amplitudeCounts: 0, hz: 50 });
      const sampler = new AcCurrentSampler({
        io: device.io.Analog,
        channels: [
          { pin: PINS.current, calibration: request.calibration },
          { pin: PINS.leakage, calibration: request.calibration },
        ],
        clock: microClock,
        mainsHz: request.mainsHz,
        cycles: request.cycles,
        samplesPerCycle: request.samplesPerCycle,
      });
      const readings: Array<{ value: number; fault: number; offsetCounts: number; clipped: number; second: number }> = [];
      for (let i = 0; i < request.bursts; i++) {
        clock.advance(request.stepMs);
        sampler.measure();
        const value = sampler.values[0];
        readings.push({
          value: Number.isFinite(value) ? value : -1,
          fault: sampler.faults[0],
          offsetCounts: sampler.offsetCounts[0],
          clipped: sampler.clippedSamples[0],
          second: sampler.values[1],
        });
      }
      return { readings, elapsedUs: microClock.microseconds() };
    }
    case "ntc": {
      const ntc = new NtcThermistor({ io: device.io.Analog, pin: PINS.heat, calibration: request.calibration, fullScaleMv: request.adcFullScaleMv });
      return request.counts.map((counts) => {
        pins.set(PINS.heat, counts);
        const c = ntc.sample();
        return { temperatureC: Number.isFinite(c) ? c : null, fault: ntc.fault };
      });
    }
    case "tmp117": {
      const bus0 = device.I2C!.default;
      const sensor = new Tmp117({ io: bus0.io, data: bus0.data, clock: bus0.clock, address: 0x48 });
      const out: Array<{ temperatureC: number | null; fault: number; failures: number }> = [];
      for (const step of request.steps) {
        if (step.detach) bus.detach(0x48);
        if (step.registers) bus.attach(0x48, step.registers);
        for (let i = 0; i < step.reads; i++) {
          const c = sensor.sample();
          out.push({ temperatureC: Number.isFinite(c) ? c : null, fault: sensor.fault, failures: sensor.failures });
        }
      }
      return out;
    }
  }
});
