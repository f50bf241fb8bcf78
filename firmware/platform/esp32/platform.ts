import type { AnalogConstructor, DigitalConstructor, SerialConstructor } from "../../ports/io";
import type { Platform } from "../../ports/platform";
import { AppRollback } from "./app-rollback";
import { CryptSha256 } from "./crypt-sha256";
import { Ecma419Mqtt } from "./ecma419-mqtt";
import { Esp32System } from "./esp32-system";
import type { MqttProvider } from "./ecma419-mqtt-client";
import { moddableTimers } from "./moddable-timers";
import { PreferenceStore } from "./preference-store";
import { TicksClock } from "./ticks-clock";
import { UpdateSlot } from "./update-slot";

/**
 * The ESP32 platform: Moddable's ECMA-419 IO classes from the built-in `device` provider, the
 * board's pins from `mc/config`, timers, NVS, the ECMA-419 MQTT client, what the heartbeat
 * reports about the chip, and for updates the inactive OTA slot, ESP-IDF app rollback and native
 * SHA-256.
 */
export function esp32Platform(options: { pins: Record<string, number>; mqttHost: string; mqttPort: number }): Platform {
  // The SDK's mqttclient config module adds `network.mqtt` to the frozen `device` at preload.
  const provider = (device as typeof device & { network: { mqtt: MqttProvider } }).network.mqtt;
  return {
    clock: new TicksClock(),
    timers: moddableTimers,
    // These are the SDK's ECMA-419 classes; the casts only bridge typings that disagree:
    // @moddable/typings 5.6.0 leaves `close()` off Analog (every ECMA-419 IO class has it) and
    // types Digital's modes as unknown, where SDK 8.2's own typings say number; its Serial
    // options type misspells `receive`, so a transmit-only Serial does not match it.
    device: {
      io: {
        Analog: device.io.Analog as unknown as AnalogConstructor,
        Digital: device.io.Digital as unknown as DigitalConstructor,
        Serial: device.io.Serial as unknown as SerialConstructor,
      },
      pin: options.pins,
    },
    mqtt: new Ecma419Mqtt(provider, options.mqttHost, options.mqttPort),
    storage: new PreferenceStore(),
    system: new Esp32System(),
    log: (level, message) => trace(`${level}: ${message}\n`),
    ota: { slot: new UpdateSlot(), boot: new AppRollback(), sha256: () => new CryptSha256() },
  };
}
