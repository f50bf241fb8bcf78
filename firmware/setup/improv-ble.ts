import { CAPABILITY_IDENTIFY, ImprovCommand, ImprovError, checksum, decodeRpc, encodeRpcResult } from "./improv-protocol";
import type { ImprovReporter, WifiSetup } from "./wifi-setup";

/** The service's characteristics a transport notifies (their UUIDs live with the GATT server). */
export type ImprovCharacteristic = "state" | "error" | "rpcResult";

export interface ImprovBleOptions {
  setup: WifiSetup;
  notify: (characteristic: ImprovCharacteristic, value: Uint8Array) => void;
  /** Blink or beep so the installer knows which node is which (Bluetooth's "identify"). */
  identify: () => void;
}

/** Command, length, up to 255 data bytes, checksum. */
const MAX_RPC = 2 + 255 + 1;

/**
 * Improv over Bluetooth LE: the phone writes RPC commands to one characteristic, in pieces of at
 * most 20 bytes when the link's MTU is small, and reads state, error and results from the others.
 * The GATT server itself is the platform's (Moddable's `bleserver` on the ESP32).
 */
export class ImprovBleTransport implements ImprovReporter {
  readonly capabilities = CAPABILITY_IDENTIFY;
  #options: ImprovBleOptions;
  #rpc = new Uint8Array(MAX_RPC);
  #length = 0;
  #state = 0;
  #error: number = ImprovError.none;

  constructor(options: ImprovBleOptions) {
    this.#options = options;
    options.setup.attach(this);
  }

  /** The values a phone reads on connecting. */
  get stateValue(): Uint8Array {
    return Uint8Array.of(this.#state);
  }

  get errorValue(): Uint8Array {
    return Uint8Array.of(this.#error);
  }

  /** One write to the RPC command characteristic: a whole command or a piece of one. */
  written(bytes: Uint8Array): void {
    if (this.#length + bytes.length > MAX_RPC) {
      this.#length = 0;
      return this.error(ImprovError.invalidRpc);
    }
    this.#rpc.set(bytes, this.#length);
    this.#length += bytes.length;
    if (this.#length < 2) return;
    const total = 2 + this.#rpc[1] + 1;
    if (this.#length < total) return;
    const whole = this.#rpc.slice(0, total);
    this.#length = 0;
    if (checksum(whole, 0, total - 1) !== whole[total - 1]) return this.error(ImprovError.invalidRpc);
    const rpc = decodeRpc(whole, total - 1);
    if (!rpc) return this.error(ImprovError.invalidRpc);
    // The spec: a new command clears the error, so the phone can tell this command's outcome.
    if (this.#error !== ImprovError.none) this.error(ImprovError.none);
    if (rpc.command === ImprovCommand.requestState) this.#options.identify();
    else this.#options.setup.handle(rpc.command, rpc.data, this);
  }

  state(state: number): void {
    this.#state = state;
    this.#options.notify("state", Uint8Array.of(state));
  }

  error(error: number): void {
    this.#error = error;
    this.#options.notify("error", Uint8Array.of(error));
  }

  result(command: number, values: readonly string[]): void {
    const body = encodeRpcResult(command, values);
    const value = new Uint8Array(body.length + 1);
    value.set(body);
    value[body.length] = checksum(body, 0, body.length);
    this.#options.notify("rpcResult", value);
  }
}
