import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NtcCalibration } from "../../firmware/calibration";
import { esp32DevkitC } from "../../hardware/boards";
import { sensorCalibration } from "../../hardware/calibration";
import { XsScenario } from "../support/xs";

const sensors = sensorCalibration(esp32DevkitC);
const FAULT = { none: 0, open: 1, short: 2, outOfRange: 5, noResponse: 6 };

/** ADC counts the board's NTC divider gives at `celsius` (B-parameter model), the inverse of the driver. */
function ntcCounts(celsius: number, ntc = sensors.ntc as Extract<NtcCalibration, { model: "beta" }>): number {
  const kelvin = celsius + 273.15;
  const ohms = ntc.r25Ohm * Math.exp(ntc.beta * (1 / kelvin - 1 / 298.15));
  const mv = (ntc.supplyMv * ohms) / (ohms + ntc.seriesOhm);
  return Math.round((mv / sensors.adcFullScaleMv) * 4095);
}

describe("drivers on the simulated ECMA-419 provider (in XS)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/drivers.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  describe("CT clamp true RMS, sampled in the background", () => {
    const ampsPerCount = sensors.ct.unitsPerCount;
    type Reading = { value: number; fault: number; offsetCounts: number; clipped: number; second: number; conversions: number };
    const rms = (options: { amps: number; thirdShare?: number; offset?: number; noise?: number; mainsHz?: number; backgroundHz?: number }) => {
      const peak = (options.amps / ampsPerCount) * Math.SQRT2;
      return xs.call<{ readings: Reading[] }>({
        op: "rms",
        calibration: sensors.ct,
        waveform: {
          offsetCounts: options.offset ?? sensors.ct.biasCounts,
          amplitudeCounts: peak,
          hz: options.mainsHz ?? 50,
          thirdHarmonicCounts: peak * (options.thirdShare ?? 0),
          noiseCounts: options.noise ?? 0,
          seed: 17,
        },
        measurements: 40,
        stepMs: 1000,
        backgroundHz: options.backgroundHz,
      });
    };

    it.each([0.5, 8, 16, 24])("reads %s A within 1 %% over each second, DC offset removed", async (amps) => {
      const { value } = await rms({ amps, offset: 2110 });
      for (const reading of value.readings) {
        expect(reading.fault).toBe(FAULT.none);
        expect(Math.abs(reading.value - amps) / amps).toBeLessThan(0.01);
        expect(reading.offsetCounts).toBeCloseTo(2110, 0);
      }
    });

    it("counts harmonics into the RMS (a charger's third harmonic)", async () => {
      const { value } = await rms({ amps: 6, thirdShare: 0.4 });
      const expected = 6 * Math.sqrt(1 + 0.4 ** 2);
      for (const reading of value.readings) expect(Math.abs(reading.value - expected) / expected).toBeLessThan(0.01);
    });

    it("measures a second channel from its own sums, each with its own offset removed", async () => {
      const { value } = await xs.call<{ readings: Reading[] }>({
        op: "rms",
        calibration: sensors.ct,
        waveform: { offsetCounts: 2000, amplitudeCounts: (5 / ampsPerCount) * Math.SQRT2, hz: 50, seed: 1 },
        leakageWaveform: { offsetCounts: 2150, amplitudeCounts: (12 / ampsPerCount) * Math.SQRT2, hz: 50, seed: 2 },
        measurements: 10,
        stepMs: 1000,
      });
      for (const reading of value.readings) {
        expect(reading.value).toBeCloseTo(5, 1);
        expect(reading.second).toBeCloseTo(12, 1);
      }
    });

    it("works at 60 Hz too", async () => {
      const { value } = await rms({ amps: 10, mainsHz: 60 });
      for (const reading of value.readings) expect(Math.abs(reading.value - 10) / 10).toBeLessThan(0.01);
    });

    it("takes every conversion since the last measurement, at the sampler's rate", async () => {
      const { value } = await rms({ amps: 1, backgroundHz: 1000 });
      expect(value.readings.map((r) => r.conversions)).toEqual(new Array(40).fill(1000));
      expect(Math.abs(value.readings[0].value - 1)).toBeLessThan(0.01);
    });

    it("reports sampling that delivered nothing as no response, not as zero current", async () => {
      const { value } = await xs.call<{ readings: Reading[] }>({
        op: "rms",
        calibration: sensors.ct,
        waveform: { offsetCounts: sensors.ct.biasCounts, amplitudeCounts: 500, hz: 50, seed: 1 },
        measurements: 2,
        stepMs: 0,
      });
      expect(value.readings.map((r) => [r.conversions, r.fault, r.value])).toEqual([
        [0, FAULT.noResponse, -1],
        [0, FAULT.noResponse, -1],
      ]);
    });

    it("reports an input whose bias is gone (board unplugged) as a fault", async () => {
      const { value } = await rms({ amps: 0, offset: 3 });
      expect(value.readings.every((r) => r.fault === FAULT.outOfRange && r.value === -1)).toBe(true);
    });

    it("still reports an overload beyond the CT's range, as a lower bound, with clipped samples counted", async () => {
      const { value } = await rms({ amps: 40 });
      for (const reading of value.readings) {
        expect(reading.fault).toBe(FAULT.none);
        expect(reading.clipped).toBeGreaterThan(0);
        expect(reading.value).toBeGreaterThan(30);
      }
    });
  });

  describe("NTC thermistor", () => {
    it("converts with the B-parameter equation to within 0.1 °C across the range", async () => {
      const temps = [-10, 0, 25, 54, 58, 65, 90];
      const { value } = await xs.call<Array<{ temperatureC: number; fault: number }>>({ op: "ntc", calibration: sensors.ntc, adcFullScaleMv: sensors.adcFullScaleMv, counts: temps.map((t) => ntcCounts(t)) });
      value.forEach((reading, i) => {
        expect(reading.fault).toBe(FAULT.none);
        // One ADC count is worth about 0.05 °C near 25 °C and 0.1 °C at 90 °C.
        expect(Math.abs(reading.temperatureC - temps[i])).toBeLessThan(0.15);
      });
    });

    it("converts with Steinhart–Hart coefficients when the board gives those", async () => {
      // Coefficients fitted to the same thermistor at 0, 25 and 85 °C.
      const beta = sensors.ntc as Extract<NtcCalibration, { model: "beta" }>;
      const points = [0, 25, 85].map((c) => {
        const k = c + 273.15;
        return { k, lnR: Math.log(beta.r25Ohm * Math.exp(beta.beta * (1 / k - 1 / 298.15))) };
      });
      const [p1, p2, p3] = points;
      const g2 = (1 / p2.k - 1 / p1.k) / (p2.lnR - p1.lnR);
      const g3 = (1 / p3.k - 1 / p1.k) / (p3.lnR - p1.lnR);
      const c = ((g3 - g2) / (p3.lnR - p2.lnR)) / (p1.lnR + p2.lnR + p3.lnR);
      const b = g2 - c * (p1.lnR ** 2 + p1.lnR * p2.lnR + p2.lnR ** 2);
      const a = 1 / p1.k - (b + p1.lnR ** 2 * c) * p1.lnR;
      const calibration: NtcCalibration = { seriesOhm: beta.seriesOhm, supplyMv: beta.supplyMv, model: "steinhart-hart", a, b, c };
      const { value } = await xs.call<Array<{ temperatureC: number }>>({ op: "ntc", calibration, adcFullScaleMv: sensors.adcFullScaleMv, counts: [ntcCounts(25), ntcCounts(58)] });
      expect(value[0].temperatureC).toBeCloseTo(25, 0);
      expect(value[1].temperatureC).toBeCloseTo(58, 0);
    });

    it("reports an open and a shorted thermistor as faults, with no temperature", async () => {
      const { value } = await xs.call<Array<{ temperatureC: number | null; fault: number }>>({ op: "ntc", calibration: sensors.ntc, adcFullScaleMv: sensors.adcFullScaleMv, counts: [4095, 0, ntcCounts(25)] });
      expect(value).toEqual([
        { temperatureC: null, fault: FAULT.open },
        { temperatureC: null, fault: FAULT.short },
        { temperatureC: expect.closeTo(25, 0), fault: FAULT.none },
      ]);
    });
  });

  describe("TMP117 over I2C", () => {
    const word = (celsius: number) => Math.round(celsius / 0.0078125) & 0xffff;

    it("reads the temperature register as the datasheet defines it (7.8125 m°C per LSB, two's complement)", async () => {
      const { value } = await xs.call<Array<{ temperatureC: number; fault: number }>>({
        op: "tmp117",
        steps: [
          { registers: { 0x0f: 0x0117, 0x00: word(24.5) }, reads: 1 },
          { registers: { 0x00: word(-10.25) }, reads: 1 },
          { registers: { 0x00: 0x7fff }, reads: 1 },
        ],
      });
      expect(value).toMatchObject([
        { temperatureC: 24.5, fault: FAULT.none },
        { temperatureC: -10.25, fault: FAULT.none },
        { temperatureC: 0x7fff * 0.0078125, fault: FAULT.none },
      ]);
    });

    it("waits out the power-on value, then calls a sensor that never converts silent", async () => {
      const { value } = await xs.call<Array<{ temperatureC: number | null; fault: number }>>({ op: "tmp117", steps: [{ registers: { 0x0f: 0x0117, 0x00: 0x8000 }, reads: 7 }] });
      expect(value.map((r) => r.fault)).toEqual([0, 0, 0, 0, 0, FAULT.noResponse, FAULT.noResponse]);
      expect(value.every((r) => r.temperatureC === null)).toBe(true);
    });

    it("reports a missing sensor, a wrong chip and a disconnected one as no-response, and recovers after its back-off", async () => {
      const { value } = await xs.call<Array<{ temperatureC: number | null; fault: number }>>({
        op: "tmp117",
        steps: [
          { reads: 1 },
          { registers: { 0x0f: 0x0102, 0x00: word(20) }, reads: 2 },
          { registers: { 0x0f: 0x0117 }, reads: 3 },
          { detach: true, reads: 1 },
          { registers: { 0x0f: 0x0117, 0x00: word(21) }, reads: 2 },
        ],
      });
      const noResponse = { temperatureC: null, fault: FAULT.noResponse };
      expect(value).toMatchObject([
        noResponse, // missing: asked, no acknowledge; the next read is skipped
        noResponse, // (skipped)
        noResponse, // wrong chip: asked; the next two are skipped
        noResponse,
        noResponse,
        { temperatureC: 20, fault: FAULT.none },
        noResponse, // disconnected: asked; the next one is skipped
        noResponse,
        { temperatureC: 21, fault: FAULT.none },
      ]);
    });

    it("asks a missing sensor with a back-off doubling to 64 reads, not at every read", async () => {
      const { value } = await xs.call<Array<{ temperatureC: number | null; fault: number; failures: number }>>({ op: "tmp117", steps: [{ reads: 600 }] });
      expect(value.every((r) => r.fault === FAULT.noResponse)).toBe(true);
      // Asked at reads 1, 3, 6, 11, 20, 37, 70, 135, 200, …: 1 + 2 + 4 … + 64 skipped, then every 65th.
      expect(value.at(-1)!.failures).toBe(15);
    });
  });
});
