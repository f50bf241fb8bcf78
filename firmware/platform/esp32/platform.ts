import type { DigitalConstructor, I2cConstructor, SerialConstructor } from "../../ports/io";
import type { Platform } from "../../ports/platform";
import { ContinuousAnalog, SampledAnalog } from "./adc-sampler";
import { AppRollback } from "./app-rollback";
import { CryptSha256 } from "./crypt-sha256";
import { Ecma419Mqtt } from "./ecma419-mqtt";
import { Esp32System } from "./esp32-system";
import { hardwareEntropy } from "./hardware-entropy";
import type { MqttProvider } from "./ecma419-mqtt-client";
import { moddableTimers } from "./moddable-timers";
import { PreferenceStore } from "./preference-store";
import { TicksClock } from "./ticks-clock";
import { UpdateSlot } from "./update-slot";

/**
 * The ESP32 platform: Moddable's ECMA-419 IO classes from the built-in `device` provider, the
 * board's pins from `mc/config`, timers, NVS, the ECMA-419 MQTT client, what the heartbeat
 * reports about the chip, for updates the inactive OTA slot, ESP-IDF app rollback and native
 * SHA-256, and analog inputs converted in the background by the ADC's continuous mode (native
 * sampler, adc-sampler.ts). The I2C bus is the board's
 * `i2cSda`/`i2cScl` pins, so it comes from the board definition like every other pin.
 */
export function esp32Platform(options: { pins: Record<string, number>; mqttHost: string; mqttPort: number }): Platform {
  // The SDK's mqttclient config module adds `network.mqtt` to the frozen `device` at preload.
  const provider = (device as typeof device & { network: { mqtt: MqttProvider } }).network.mqtt;
  // These are the SDK's ECMA-419 classes; the casts only bridge typings that disagree:
  // @moddable/typings 5.6.0 leaves `close()` off I2C (every ECMA-419 IO class has it),
  // types Digital's modes as unknown, where SDK 8.2's own typings say number, has I2C `read`
  // return an ArrayBuffer where, given a buffer, it fills that buffer, and its Serial options type
  // misspells `receive`, so a transmit-only Serial does not match it.
  const I2C = device.io.I2C as unknown as I2cConstructor;
  const { i2cSda, i2cScl } = options.pins;
  return {
    clock: new TicksClock(),
    timers: moddableTimers,
    device: {
      io: {
        // Analog inputs go through the native continuous sampler (adc-sampler.ts), not the SDK's
        // one-shot Analog: the CT and leakage channels convert in the background on ADC1.
        Analog: SampledAnalog,
        BackgroundAnalog: ContinuousAnalog,
        Digital: device.io.Digital as unknown as DigitalConstructor,
        Serial: device.io.Serial as unknown as SerialConstructor,
        I2C,
      },
      I2C: i2cSda !== undefined && i2cScl !== undefined ? { default: { io: I2C, data: i2cSda, clock: i2cScl } } : undefined,
      pin: options.pins,
    },
    mqtt: new Ecma419Mqtt(provider, options.mqttHost, options.mqttPort),
    storage: new PreferenceStore(),
    entropy: hardwareEntropy,
    system: new Esp32System(),
    log: (level, message) => trace(`${level}: ${message}\n`),
    ota: { slot: new UpdateSlot(), boot: new AppRollback(), sha256: () => new CryptSha256() },
  };
}
