import { AcCurrentMeter } from "../../../firmware/drivers/ac-current";
import { NtcThermistor } from "../../../firmware/drivers/ntc-thermistor";
import { Tmp117 } from "../../../firmware/drivers/tmp117";
import type { AcChannelCalibration, NtcCalibration } from "../../../firmware/calibration";
import { simDevice, SimI2cBus, SimPins, type WaveformSpec } from "../../../firmware/platform/sim/sim-io";
import { VirtualClock } from "../../../firmware/platform/sim/virtual-clock";
import { serveScenario } from "./scenario";

/** The drivers on the simulated device provider, inside XS: waveforms on ADC pins, registers on the I2C bus. */
const PINS = { current: 36, leakage: 39, heat: 35 };

type Request =
  | {
      op: "rms";
      calibration: AcChannelCalibration;
      waveform: WaveformSpec;
      /** On the second channel. */
      leakageWaveform?: WaveformSpec;
      /** Measurements, one every `stepMs` of virtual time (0: all at the same moment, nothing converted between them). */
      measurements: number;
      stepMs: number;
      backgroundHz?: number;
    }
  | { op: "ntc"; calibration: NtcCalibration; adcFullScaleMv: number; counts: number[] }
  | { op: "tmp117"; steps: Array<{ registers?: Record<number, number>; detach?: boolean; reads: number }> };

serveScenario((request: Request) => {
  const clock = new VirtualClock();
  const pins = new SimPins();
  const bus = new SimI2cBus();
  const device = simDevice(pins, { ...PINS, i2cSda: 21, i2cScl: 22 }, 12, { clock, bus, backgroundHz: request.op === "rms" ? request.backgroundHz : undefined });
  switch (request.op) {
    case "rms": {
      pins.setWaveform(PINS.current, request.waveform);
      pins.setWaveform(PINS.leakage, request.leakageWaveform ?? { offsetCounts: 2048, amplitudeCounts: 0, hz: 50 });
      const meter = new AcCurrentMeter({
        io: device.io.BackgroundAnalog!,
        channels: [
          { pin: PINS.current, calibration: request.calibration },
          { pin: PINS.leakage, calibration: request.calibration },
        ],
      });
      const readings: Array<{ value: number; fault: number; offsetCounts: number; clipped: number; second: number; conversions: number }> = [];
      for (let i = 0; i < request.measurements; i++) {
        clock.advance(request.stepMs);
        meter.measure();
        const value = meter.values[0];
        readings.push({
          value: Number.isFinite(value) ? value : -1,
          fault: meter.faults[0],
          offsetCounts: meter.offsetCounts[0],
          clipped: meter.clippedSamples[0],
          second: meter.values[1],
          conversions: meter.conversions[0],
        });
      }
      return { readings };
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
