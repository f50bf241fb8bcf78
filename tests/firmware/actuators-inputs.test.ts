import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsScenario } from "../support/xs";

const NONE = 0;
const ROSE = 1;
const FELL = 2;

describe("actuators and input filters (in XS)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/actuators.ts", import.meta.url));
  });
  afterAll(() => xs.close());
  const run = async <T>(request: Record<string, unknown>) => (await xs.call<T>(request)).value;

  it("speaks the DFPlayer Mini's frame format with DFRobot's checksum", async () => {
    const hex = (await run<number[][]>({ run: "dfplayer" })).map((frame) => frame.map((b) => b.toString(16).padStart(2, "0")).join(" "));
    expect(hex).toEqual([
      "7e ff 06 03 00 00 01 fe f7 ef", // play 0001.mp3
      "7e ff 06 03 00 01 2c fe cb ef", // play 0300.mp3 (0x012C)
      "7e ff 06 16 00 00 00 fe e5 ef", // stop
      "7e ff 06 06 00 00 0f fe e6 ef", // volume 15
      "7e ff 06 06 00 00 1e fe d7 ef", // volume clamped to 30
    ]);
  });

  it("sends a Nextion text instruction in UTF-8, ended by three 0xFF", async () => {
    const [frame] = await run<number[][]>({ run: "nextion", text: "电动车请勿进电梯 · OK" });
    expect(Buffer.from(frame)).toEqual(Buffer.concat([Buffer.from('t0.txt="电动车请勿进电梯 · OK"', "utf8"), Buffer.from([0xff, 0xff, 0xff])]));
    const [emoji] = await run<number[][]>({ run: "nextion", text: "🚲" });
    expect(Buffer.from(emoji).subarray(0, -3).toString("utf8")).toBe('t0.txt="🚲"');
  });

  it("holds a pulse-driven output only with a pulse train, and starts and ends released", async () => {
    // constructor 0; refresh while off does nothing; on: 1 (rising edge), then 0,1,0,1,0; off: 0; refresh while off: nothing.
    expect(await run({ run: "pulse" })).toEqual([0, 1, 0, 1, 0, 1, 0, 0]);
    // Active-low level drive: released is 1, held is 0.
    expect(await run({ run: "level" })).toEqual([1, 0, 1]);
  });

  it("debounces in time, asymmetrically, and reports nothing until the first level has held", async () => {
    const samples: Array<[number, number]> = [
      [1, 0], [0, 50], [1, 100], [1, 500], [1, 1100], // unknown until 1 has held 1000 ms (settles at 1, no change)
      [0, 1200], [0, 3100], [0, 3200], [1, 3300], [1, 4300],
    ];
    expect(await run({ run: "debounce", riseMs: 1000, fallMs: 2000, samples })).toEqual([
      [NONE, 0, 0], [NONE, 0, 0], [NONE, 0, 0], [NONE, 0, 0], [NONE, 1, 1],
      [NONE, 1, 1], [NONE, 1, 1], [FELL, 0, 1], [NONE, 0, 1], [ROSE, 1, 1],
    ]);
    // With a normal state, a contact found otherwise at boot is a change like any other.
    expect(await run({ run: "debounce", riseMs: 300, initial: 0, samples: [[1, 0], [1, 200], [1, 300]] })).toEqual([
      [NONE, 0, 1], [NONE, 0, 1], [ROSE, 1, 1],
    ]);
  });

  it("calls a heartbeat alive only after an edge, and lost when edges stop or the line sticks", async () => {
    const samples: Array<[number, number]> = [
      [1, 0], [1, 500], // stuck high from boot: never alive
      [0, 600], [1, 1100], [0, 1600], // edges
      [0, 2500], [0, 2601], // stuck low: lost 1000 ms after the last edge
    ];
    expect(await run({ run: "heartbeat", samples })).toEqual([0, 0, 1, 1, 1, 1, 0]);
  });
});
