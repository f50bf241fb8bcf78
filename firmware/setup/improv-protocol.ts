/**
 * The Improv Wi-Fi protocol (improv-wifi.com, spec revision 2.2): the codes, the serial packet and
 * the RPC payloads shared by the serial and Bluetooth transports. Written here rather than taken
 * from a library because it must run on XS; the tests check it against the Improv SDKs on npm.
 */
import { bytesText, textBytes } from "../ota/text-bytes";

export const IMPROV_VERSION = 1;
/** "IMPROV": every serial packet starts with these six bytes. */
export const SERIAL_MAGIC = Object.freeze([0x49, 0x4d, 0x50, 0x52, 0x4f, 0x56]);
/** Magic, version, type and length come before a serial packet's data. */
export const SERIAL_HEADER_BYTES = 9;

export const PacketType = Object.freeze({ currentState: 0x01, errorState: 0x02, rpc: 0x03, rpcResult: 0x04 });

export const ImprovState = Object.freeze({
  /** Bluetooth only: a button press (or similar) is needed before settings are taken. */
  authorizationRequired: 0x01,
  /** Ready for settings ("authorized" in the Bluetooth spec). */
  ready: 0x02,
  provisioning: 0x03,
  provisioned: 0x04,
});

export const ImprovError = Object.freeze({
  none: 0x00,
  invalidRpc: 0x01,
  unknownRpc: 0x02,
  unableToConnect: 0x03,
  notAuthorized: 0x04,
  badHostname: 0x05,
  unknown: 0xff,
});

export const ImprovCommand = Object.freeze({
  wifiSettings: 0x01,
  /** Serial: report the current state. Bluetooth: identify (blink, beep). */
  requestState: 0x02,
  deviceInfo: 0x03,
  scanNetworks: 0x04,
  hostname: 0x05,
  deviceName: 0x06,
  /**
   * Ours, outside the spec's range of use: why the last attempt ended ("wrong-password",
   * "no-network", "timeout", "busy", "bad-ssid", "bad-password" or "" after success). Improv itself
   * only says "unable to connect"; the installer's screen asks this to tell the installer what to fix.
   * Clients that don't know it never send it.
   */
  setupStatus: 0xf0,
});

/** Capability bits on Bluetooth: bit 0, the device can identify itself. */
export const CAPABILITY_IDENTIFY = 0x01;

/** Low byte of the sum of `bytes[start..end)`: the checksum of a serial packet and a Bluetooth RPC. */
export function checksum(bytes: ArrayLike<number>, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i];
  return sum & 0xff;
}

/** One serial packet: magic, version, type, length, data, checksum, then a newline as the SDKs write it. */
export function encodeSerialPacket(type: number, data: Uint8Array): Uint8Array {
  const packet = new Uint8Array(SERIAL_HEADER_BYTES + data.length + 2);
  packet.set(SERIAL_MAGIC, 0);
  packet[6] = IMPROV_VERSION;
  packet[7] = type;
  packet[8] = data.length;
  packet.set(data, SERIAL_HEADER_BYTES);
  packet[SERIAL_HEADER_BYTES + data.length] = checksum(packet, 0, SERIAL_HEADER_BYTES + data.length);
  packet[packet.length - 1] = 0x0a;
  return packet;
}

export interface RpcCommand {
  command: number;
  data: Uint8Array;
}

/** An RPC command's body, `command · length · data`, as both transports carry it; null when the length is wrong. */
export function decodeRpc(bytes: Uint8Array, length: number): RpcCommand | null {
  if (length < 2 || bytes[1] !== length - 2) return null;
  return { command: bytes[0], data: bytes.slice(2, length) };
}

/** An RPC result: command, total length, then each string with its length before it. */
export function encodeRpcResult(command: number, values: readonly string[]): Uint8Array {
  const encoded = values.map(textBytes);
  const total = encoded.reduce((sum, bytes) => sum + 1 + bytes.length, 0);
  const result = new Uint8Array(2 + total);
  result[0] = command;
  result[1] = total;
  let at = 2;
  for (const bytes of encoded) {
    result[at++] = bytes.length;
    result.set(bytes, at);
    at += bytes.length;
  }
  return result;
}

export interface WifiSettings {
  ssid: string;
  password: string;
}

/** The Wi-Fi settings command's data, `ssid_len ssid pwd_len pwd`; null when the lengths don't add up. */
export function decodeWifiSettings(data: Uint8Array): WifiSettings | null {
  const ssidLength = data[0];
  if (data.length < 2 || 1 + ssidLength + 1 > data.length) return null;
  const passwordLength = data[1 + ssidLength];
  if (2 + ssidLength + passwordLength !== data.length) return null;
  return {
    ssid: bytesText(data.subarray(1, 1 + ssidLength)),
    password: bytesText(data.subarray(2 + ssidLength)),
  };
}
