import BLEServer from "bleserver";
import { uuid } from "btutils";
import type { Characteristic } from "gatt";
import type { ImprovBleTransport, ImprovCharacteristic } from "../../setup/improv-ble";

/**
 * The Improv GATT service (bleservices/improv.json) on Moddable's `bleserver`, feeding a transport.
 * Advertises the service and, as the Improv BLE spec asks, service data 0x4677 with the state and
 * capabilities so a phone can list nodes waiting for setup. Unverified on a device: no ESP-IDF here
 * (firmware/README.md, "What was not run").
 */
export class ImprovBleServer extends BLEServer {
  #name: string;
  #transport: ImprovBleTransport | undefined;
  #subscribed = new Map<string, Characteristic>();

  constructor(name: string) {
    super();
    this.#name = name;
  }

  attach(transport: ImprovBleTransport): void {
    this.#transport = transport;
  }

  override onReady(): void {
    this.deviceName = this.#name;
    this.#advertise();
  }

  override onConnected(): void {
    this.stopAdvertising();
  }

  override onDisconnected(): void {
    this.#subscribed.clear();
    this.#advertise();
  }

  override onCharacteristicNotifyEnabled(characteristic: Characteristic): void {
    this.#subscribed.set(characteristic.name, characteristic);
  }

  override onCharacteristicWritten(characteristic: Characteristic, value: ArrayBuffer): void {
    if (characteristic.name === "rpcCommand") this.#transport?.written(new Uint8Array(value));
  }

  override onCharacteristicRead(characteristic: Characteristic): Uint8Array | void {
    const transport = this.#transport;
    if (!transport) return;
    if (characteristic.name === "state") return transport.stateValue;
    if (characteristic.name === "error") return transport.errorValue;
    if (characteristic.name === "capabilities") return Uint8Array.of(transport.capabilities);
  }

  /** The transport's notifications, to a phone that asked for them. */
  notify(characteristic: ImprovCharacteristic, value: Uint8Array): void {
    const subscribed = this.#subscribed.get(characteristic);
    if (subscribed) this.notifyValue(subscribed, value.buffer);
    if (characteristic === "state") this.#advertise();
  }

  #advertise(): void {
    const state = this.#transport?.stateValue[0] ?? 0;
    const capabilities = this.#transport?.capabilities ?? 0;
    this.stopAdvertising();
    this.startAdvertising({
      advertisingData: {
        flags: 6,
        completeUUID128List: [uuid`00467768-6228-2272-4663-277478268000`],
        serviceDataUUID16: { uuid: uuid`4677`, data: [state, capabilities, 0, 0, 0, 0] },
      },
      scanResponseData: { completeName: this.#name },
    });
  }
}
