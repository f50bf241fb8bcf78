/**
 * The ECMA-419 MQTT client of the Moddable SDK (`embedded:network/mqtt/client`, from
 * examples/io/tcp/mqttclient), typed as it behaves in SDK 8.x rather than as @moddable/typings
 * 5.6.0 declares it: `onControl` receives one `{ operation, id }` object, `write(null, …)` sends
 * control packets, and `keepalive` is in milliseconds. There is no auto-reconnect.
 *
 * Writing follows ECMA-419's flow control: `onWritable(count)` says how many bytes the client can
 * take, `write` returns how many remain, and a packet larger than that throws ("overflow"). A
 * PUBLISH may go in fragments: the first write names the whole payload's `byteLength`, the
 * following writes carry the rest of the payload with no options.
 */
export interface Ecma419MqttMessage {
  operation: number;
  id?: number;
  returnCode?: number;
}

export interface Ecma419MqttReadInfo {
  topic?: string;
  QoS?: number;
  byteLength?: number;
  more?: boolean;
}

export interface Ecma419MqttWriteOptions {
  operation?: number;
  id?: number;
  topic?: string;
  QoS?: number;
  retain?: boolean;
  /** The whole payload's length when this write carries only its first fragment. */
  byteLength?: number;
  items?: Array<{ topic: string; QoS?: number }>;
}

export interface Ecma419MqttClient {
  read(count: number): ArrayBuffer;
  /** Returns the bytes that can still be written. */
  write(data: ArrayBuffer | null, options?: Ecma419MqttWriteOptions): number;
  close(): void;
}

export interface Ecma419MqttOptions {
  host: string;
  port: number;
  id: string;
  user?: string;
  password?: ArrayBuffer;
  clean: boolean;
  keepalive: number;
  will?: { topic: string; message: ArrayBuffer; QoS: number; retain: boolean };
  onControl(this: Ecma419MqttClient, message: Ecma419MqttMessage): void;
  onReadable(this: Ecma419MqttClient, count: number, info: Ecma419MqttReadInfo): void;
  onWritable(this: Ecma419MqttClient, count: number): void;
  onError(this: Ecma419MqttClient): void;
  onClose?(this: Ecma419MqttClient): void;
  dns: object;
  socket: object;
}

export interface Ecma419MqttClientClass {
  new (options: Ecma419MqttOptions): Ecma419MqttClient;
  readonly CONNACK: 2;
  readonly PUBLISH: 3;
  readonly PUBACK: 4;
  readonly SUBSCRIBE: 8;
}

/** What the SDK's mqttclient config module adds to `device.network.mqtt`. */
export interface MqttProvider {
  io: Ecma419MqttClientClass;
  dns: object;
  socket: { io: unknown } & Record<string, unknown>;
}
