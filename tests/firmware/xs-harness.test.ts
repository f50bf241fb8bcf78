import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsScenario } from "../support/xs";

describe("XS harness", () => {
  let probe: XsScenario;
  beforeAll(async () => {
    probe = await XsScenario.load(new URL("./xs/probe.ts", import.meta.url));
  });
  afterAll(() => probe.close());

  it("runs firmware code inside the XS engine, not Node", async () => {
    const { value } = await probe.call<Record<string, unknown>>({ loops: 10 });
    expect(value.sum).toBe(45);
    // xsnap-worker's own host functions exist; Node's and the browser's do not.
    expect(value.print).toBe("function");
    expect(value.issueCommand).toBe("function");
    expect(value.process).toBe("undefined");
    expect(value.require).toBe("undefined");
    expect(value.window).toBe("undefined");
    expect(value.setTimeout).toBe("undefined");
  });

  it("meters each step with a deterministic compute count", async () => {
    const small = await probe.call({ loops: 1000 });
    const again = await probe.call({ loops: 1000 });
    const large = await probe.call({ loops: 100_000 });
    expect(again.meter.compute).toBe(small.meter.compute);
    expect(large.meter.compute).toBeGreaterThan(small.meter.compute * 50);
    expect(small.meter.currentHeapCount).toBeGreaterThan(0);
  });

  it("makes firmware that reaches for a Node or DOM API fail", async () => {
    const careless = await XsScenario.load(new URL("./xs/reaches-for-node.ts", import.meta.url));
    try {
      for (const use of ["process", "setTimeout", "document", "Buffer"]) {
        const { value } = await careless.call<{ thrown?: string }>({ use });
        expect(value.thrown, use).toMatch(/ReferenceError|TypeError/);
      }
      expect((await careless.call({ use: "none" })).value).toBe("nothing touched");
    } finally {
      await careless.close();
    }
  });

  it("refuses to bundle firmware that imports a Node module", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "sw-xs-")), "imports-fs.ts");
    writeFileSync(file, 'import { readFileSync } from "node:fs";\nexport const x = readFileSync;\n');
    await expect(XsScenario.load(file)).rejects.toThrow(/node:fs/);
  });
});
