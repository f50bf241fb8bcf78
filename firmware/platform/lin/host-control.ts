import type { PinSpecifier } from "../../ports/io";
import type { SimI2cBus, SimPins, WaveformSpec } from "../sim/sim-io";
import { hostScreen, tellHost } from "./host-screen";
import meter from "./xs-meter";

/** One line from the host: a pin's level or waveform, an I2C target, or a request for the XS meter. */
export type HostCommand =
  | { op: "pin"; name: string; value: number }
  | { op: "waveform"; name: string; spec: WaveformSpec | null }
  | { op: "i2c"; address: number; registers: Record<string, number> }
  | { op: "i2c-detach"; address: number }
  | { op: "meter"; label: string };

/**
 * The host ports' inputs, driven from outside the node: a test or a maker's terminal sends one
 * JSON command a line (see {@link HostCommand}); pins are named as the board names them. Every
 * command is answered with `{"event":"ok"}` or `{"event":"error"}`, so the sender knows it took.
 */
export function listenToHost(pins: SimPins, bus: SimI2cBus, pinMap: Record<string, PinSpecifier>): void {
  const pinOf = (name: string): PinSpecifier => {
    const pin = pinMap[name];
    if (pin === undefined) throw new Error(`no pin "${name}" on this board (${Object.keys(pinMap).join(", ")})`);
    return pin;
  };
  hostScreen().onMessage = (message: string) => {
    let command: HostCommand;
    try {
      command = JSON.parse(message) as HostCommand;
      switch (command.op) {
        case "pin":
          if (typeof command.value !== "number" || !Number.isFinite(command.value)) throw new Error("pin needs a numeric value");
          pins.set(pinOf(command.name), command.value);
          break;
        case "waveform":
          pins.setWaveform(pinOf(command.name), command.spec);
          break;
        case "i2c": {
          const registers: Record<number, number> = {};
          for (const key of Object.keys(command.registers)) registers[Number(key)] = command.registers[key];
          bus.attach(command.address, registers);
          break;
        }
        case "i2c-detach":
          bus.detach(command.address);
          break;
        case "meter":
          tellHost({ event: "meter", label: command.label, ...meter() });
          return;
        default:
          throw new Error(`unknown op ${(command as { op?: unknown }).op}`);
      }
      tellHost({ event: "ok", op: command.op });
    } catch (error) {
      tellHost({ event: "error", message: String(error), line: message.slice(0, 120) });
    }
  };
}
