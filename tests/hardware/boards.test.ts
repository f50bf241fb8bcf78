import { describe, expect, it } from "vitest";
import { BOARDS, esp32DevkitC, esp32S3DevkitC1, type BoardDefinition } from "../../hardware/boards";
import { CHIPS } from "../../hardware/chips";
import { NODE_KIND_DEFINITIONS } from "../../hardware/kinds";
import { checkBoard } from "../../hardware/validate";
import { NODE_KINDS } from "../../shared/node-kinds";

/** A board derived from a real one with some pins moved. */
function withPins(board: BoardDefinition, pins: Record<string, number>, extra: Partial<BoardDefinition> = {}): BoardDefinition {
  return { ...board, ...extra, pins: { ...board.pins, ...pins } };
}

describe("board definitions", () => {
  it.each(Object.values(BOARDS).map((board) => [board.id, board] as const))("%s carries every node kind with no errors", (_id, board) => {
    const { errors, warnings } = checkBoard(board);
    expect(errors).toEqual([]);
    // Worth a second look: the on-board BOOT button on strapping GPIO0 and, on the DevKitC, whose
    // every other free GPIO is taken, the relay's sense contact on strapping GPIO2 and the smoke
    // IC's open-drain alarm line on strapping GPIO5 (released at reset).
    expect(warnings[0]).toMatch(/factoryReset.*GPIO0.*strapping/);
    expect(warnings.slice(1)).toEqual(
      board.chip === "esp32" ? [expect.stringMatching(/relaySense.*GPIO2.*strapping/), expect.stringMatching(/smokeAlarm.*GPIO5.*strapping/)] : [],
    );
  });

  it("defines every node kind the platform knows", () => {
    expect(Object.keys(NODE_KIND_DEFINITIONS).sort()).toEqual([...NODE_KINDS].sort());
  });

  it("puts every analog input on ADC1", () => {
    for (const board of Object.values(BOARDS)) {
      for (const kind of Object.values(NODE_KIND_DEFINITIONS)) {
        for (const [name, signal] of Object.entries(kind.signals)) {
          if (signal.use !== "analog-in") continue;
          expect(CHIPS[board.chip].adc[board.pins[name]]?.unit, `${board.id} ${name}`).toBe(1);
        }
      }
    }
  });
});

describe("board validator", () => {
  const only = (board: BoardDefinition) => checkBoard(board).errors;

  it("refuses the ESP32's flash pins GPIO6–11", () => {
    const errors = only(withPins(esp32DevkitC, { statusLed: 6 }));
    expect(errors).toContainEqual(expect.stringMatching(/pin "statusLed" on GPIO6: GPIO6–11 connect the module's SPI flash/));
  });

  it("refuses the ESP32-S3's flash pins GPIO26–32, and 33–37 on a module with octal PSRAM", () => {
    expect(only(withPins(esp32S3DevkitC1, { statusLed: 30 }))).toContainEqual(expect.stringMatching(/GPIO26–32 connect the module's SPI flash/));
    expect(only(withPins(esp32S3DevkitC1, { statusLed: 35 }))).toContainEqual(expect.stringMatching(/GPIO33–37 carry the octal PSRAM\/flash of the ESP32-S3-WROOM-1-N8R8/));
    // The same pin is free on a module without octal PSRAM (an N8), headers permitting.
    const n8 = withPins(esp32S3DevkitC1, { statusLed: 35 }, { module: { name: "ESP32-S3-WROOM-1-N8", flash: "quad", psram: "none" } });
    expect(only(n8)).toEqual([]);
  });

  it("refuses an input-only pin used as an output, and says which pins would do", () => {
    const errors = only(withPins(esp32DevkitC, { relayLock: 34, smoke: 5 }));
    const error = errors.find((e) => e.includes('"relayLock"'));
    expect(error).toMatch(/GPIO34 is input-only on the ESP32 \(no output driver\), and relay needs an output/);
    expect(error).toMatch(/free pins that would do: .*GPIO/);
    expect(error).not.toMatch(/GPIO(0|2|5|12|15)\b,/);
  });

  it("refuses a relay on a strapping pin", () => {
    expect(only(withPins(esp32DevkitC, { relayLock: 12, capsuleDoor: 26 }))).toContainEqual(
      expect.stringMatching(/pin "relayLock" on GPIO12: GPIO12 is a strapping pin \(flash voltage.*a relay on it could pull in/),
    );
    expect(only(withPins(esp32S3DevkitC1, { relayLock: 46 }))).toContainEqual(expect.stringMatching(/GPIO46 is a strapping pin/));
  });

  it("refuses an analog input on ADC2, which Wi-Fi takes, and a pin with no ADC at all", () => {
    expect(only(withPins(esp32DevkitC, { smoke: 13, capsuleDoor: 34 }))).toContainEqual(
      expect.stringMatching(/pin "smoke" on GPIO13: GPIO13 is ADC2_CH4, and ADC2 is used by Wi-Fi/),
    );
    expect(only(withPins(esp32S3DevkitC1, { smoke: 11, capsuleDoor: 4 }))).toContainEqual(expect.stringMatching(/GPIO11 is ADC2_CH0/));
    expect(only(withPins(esp32DevkitC, { smoke: 23, statusLed: 34 }))).toContainEqual(expect.stringMatching(/GPIO23 has no ADC channel/));
    expect(checkBoard(withPins(esp32DevkitC, { smoke: 13, capsuleDoor: 34 }), { wifi: false }).errors.some((e) => e.includes("ADC2"))).toBe(false);
  });

  it("refuses a GPIO given twice, a GPIO that does not exist, one off the headers, one the board uses", () => {
    expect(only(withPins(esp32DevkitC, { heat: 34 }))).toContainEqual(expect.stringMatching(/GPIO34 is already "smoke"/));
    expect(only(withPins(esp32DevkitC, { statusLed: 24 }))).toContainEqual(expect.stringMatching(/the ESP32 has no GPIO24/));
    expect(only(withPins(esp32DevkitC, { smoke: 37 }))).toContainEqual(expect.stringMatching(/GPIO37 is not brought out/));
    expect(only(withPins(esp32DevkitC, { statusLed: 1 }))).toContainEqual(expect.stringMatching(/the board uses GPIO1 for UART0 TX/));
    expect(only(withPins(esp32S3DevkitC1, { statusLed: 19 }))).toContainEqual(expect.stringMatching(/USB D-/));
  });

  it("refuses internal pulls on the ESP32's pins that have none, and a missing signal", () => {
    expect(only(withPins(esp32DevkitC, { capsuleDoor: 35, heat: 13 }))).toContainEqual(
      expect.stringMatching(/pin "capsuleDoor" on GPIO35: GPIO35 has no internal pull resistors.*external pull-up/),
    );
    const { relayLock: _dropped, ...pins } = esp32DevkitC.pins;
    expect(only({ ...esp32DevkitC, pins })).toContainEqual(expect.stringMatching(/the elevator kind needs a pin named "relayLock" \(relay\)/));
  });

  it("refuses an output drive that names no output, energizes at the wrong level, or a relay without one", () => {
    const drive = (outputDrive: BoardDefinition["outputDrive"]) => only({ ...esp32DevkitC, outputDrive });
    expect(drive({ ...esp32DevkitC.outputDrive, smoke: { drive: "pulse", holdMs: 450 } })).toContainEqual(expect.stringMatching(/outputDrive "smoke" names no relay or output/));
    expect(drive({ ...esp32DevkitC.outputDrive, relayLock: { drive: "level", activeLevel: 0 } })).toContainEqual(
      expect.stringMatching(/outputDrive "relayLock" energizes at 0 but the elevator kind says active high/),
    );
    expect(drive({ relayLock: { drive: "pulse", holdMs: 450 } })).toContainEqual(expect.stringMatching(/the relay "warningLight" needs an outputDrive/));
    expect(only({ ...esp32DevkitC, adcFullScaleMv: 0 })).toContainEqual(expect.stringMatching(/adcFullScaleMv must be/));
  });

  it("reports every problem at once rather than the first", () => {
    expect(only(withPins(esp32DevkitC, { statusLed: 6, relayLock: 34, smoke: 13 })).length).toBeGreaterThanOrEqual(3);
  });
});
