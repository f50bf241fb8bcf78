import type { Clock, Timers } from "./clock";
import type { Device } from "./io";
import type { Log } from "./log";
import type { MqttSession } from "./mqtt";
import type { KeyValueStore } from "./storage";
import type { SystemInfo } from "./system";

/** Everything the node's logic is handed. Only `platform/esp32` and `platform/sim` build one. */
export interface Platform {
  clock: Clock;
  timers: Timers;
  device: Device;
  mqtt: MqttSession;
  storage: KeyValueStore;
  system: SystemInfo;
  log: Log;
}
