import type { Platform } from "../../ports/platform";
import { Ecma419Mqtt } from "../esp32/ecma419-mqtt";
import type { MqttProvider } from "../esp32/ecma419-mqtt-client";
import { hardwareEntropy } from "../esp32/hardware-entropy";
import { moddableTimers } from "../esp32/moddable-timers";
import { PreferenceStore } from "../esp32/preference-store";
import { TicksClock } from "../esp32/ticks-clock";
import { SimI2cBus, SimPins, simDevice } from "../sim/sim-io";
import { HostSystem } from "./host-system";
import { ScaledTime } from "./scaled-time";

/** The Linux host's platform, and the host ports' inputs, which `listenToHost` drives. */
export interface LinPlatform {
  platform: Platform;
  pins: SimPins;
  bus: SimI2cBus;
}

/**
 * A node on Moddable's Linux runtime (`mcconfig -p lin`) with what the ESP32 build uses wherever
 * Linux has it: the SDK's ECMA-419 MQTT client under the same wrapper, `timer` and `Time.ticks`,
 * `preference` (a JSON file in the working directory where the ESP32 has NVS). What Linux lacks
 * is a host port: the board's analog, digital, serial and I2C IO are the simulator's classes over
 * pin levels the host sets (sim-io.ts), and the reset reason and restart are `HostSystem`'s.
 * There is no OTA slot: a host node takes no updates. `timeScale` above 1 runs the clock and
 * timers faster (bench:memory only).
 */
export function linPlatform(options: { pins: Record<string, number>; mqttHost: string; mqttPort: number; timeScale: number }): LinPlatform {
  // The SDK's mqttclient config module adds `network.mqtt` to the frozen `device`, as on the ESP32.
  const provider = (device as typeof device & { network: { mqtt: MqttProvider } }).network.mqtt;
  const time = options.timeScale === 1 ? { clock: new TicksClock(), timers: moddableTimers } : (() => {
    const scaled = new ScaledTime(options.timeScale);
    return { clock: scaled, timers: scaled };
  })();
  const pins = new SimPins();
  const bus = new SimI2cBus();
  return {
    pins,
    bus,
    platform: {
      clock: time.clock,
      timers: time.timers,
      device: simDevice(pins, options.pins, 12, { bus, clock: time.clock }),
      mqtt: new Ecma419Mqtt(provider, options.mqttHost, options.mqttPort),
      storage: new PreferenceStore(),
      entropy: hardwareEntropy,
      system: new HostSystem(),
      log: (level, message) => trace(`${level}: ${message}\n`),
    },
  };
}
