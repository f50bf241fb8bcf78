import { ImprovCommand, ImprovError, PacketType, decodeRpc, encodeRpcResult, encodeSerialPacket } from "./improv-protocol";
import { ImprovSerialReader } from "./improv-serial-reader";
import type { ImprovReporter, WifiSetup } from "./wifi-setup";

/**
 * Improv over the board's USB serial port, for the maker's bench (ESP Web Tools offers Wi-Fi right
 * after flashing) and for any installer with a cable. Bytes in from the UART, packets out to it.
 */
export class ImprovSerialTransport implements ImprovReporter {
  #setup: WifiSetup;
  #write: (bytes: Uint8Array) => void;
  #reader = new ImprovSerialReader();

  constructor(setup: WifiSetup, write: (bytes: Uint8Array) => void) {
    this.#setup = setup;
    this.#write = write;
    setup.attach(this);
  }

  receive(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const packet = this.#reader.push(bytes[i]);
      if (packet === null) continue;
      if (packet === "bad-packet") {
        this.error(ImprovError.invalidRpc);
        continue;
      }
      if (packet.type !== PacketType.rpc) continue;
      const rpc = decodeRpc(packet.data, packet.data.length);
      if (!rpc) this.error(ImprovError.invalidRpc);
      else if (rpc.command === ImprovCommand.requestState) this.#setup.reportState(this);
      else this.#setup.handle(rpc.command, rpc.data, this);
    }
  }

  state(state: number): void {
    this.#write(encodeSerialPacket(PacketType.currentState, Uint8Array.of(state)));
  }

  error(error: number): void {
    this.#write(encodeSerialPacket(PacketType.errorState, Uint8Array.of(error)));
  }

  result(command: number, values: readonly string[]): void {
    this.#write(encodeSerialPacket(PacketType.rpcResult, encodeRpcResult(command, values)));
  }
}
