import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsScenario } from "../support/xs";

/** firmware/ota/text-bytes.ts on both XS builds it meets: xsnap's TextEncoder and a Moddable build's built-ins. */
describe("text bytes, in XS", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/text-bytes.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  it("encodes with the Moddable built-in called on ArrayBuffer (detached, it threw 'not a constructor' on the lin and ESP32 builds)", async () => {
    const text = "守望 alarm ✓";
    const { value } = await xs.call<{ before: number[]; moddable: number[]; back: string; thrown?: string }>({ text });
    expect(value.thrown).toBeUndefined();
    const utf8 = Array.from(new TextEncoder().encode(text));
    expect(value.before).toEqual(utf8);
    expect(value.moddable).toEqual(utf8);
    expect(value.back).toBe(text);
  });
});
