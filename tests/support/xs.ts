import { bundleForXs } from "../../firmware/platform/sim/host/bundle";
import { XsWorker, type XsMeter } from "../../firmware/platform/sim/host/xs-worker";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A firmware test scenario running inside the real XS engine. The scenario file (under
 * tests/firmware/xs/) sets `handleCommand` to take a JSON request and return a JSON answer;
 * the vitest side sends requests and asserts on what XS computed.
 */
export class XsScenario {
  private constructor(readonly worker: XsWorker) {}

  static async load(entry: URL | string): Promise<XsScenario> {
    const path = typeof entry === "string" ? entry : decodeURIComponent(entry.pathname);
    const worker = new XsWorker({ name: path.split("/").pop() });
    try {
      await worker.evaluate(await bundleForXs(path));
    } catch (error) {
      worker.kill();
      throw error;
    }
    return new XsScenario(worker);
  }

  async call<T = unknown>(request: unknown): Promise<{ value: T; meter: XsMeter }> {
    const { bytes, meter } = await this.worker.command(encoder.encode(JSON.stringify(request)));
    return { value: JSON.parse(decoder.decode(bytes)) as T, meter };
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
