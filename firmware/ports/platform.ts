import type { Clock, MicrosecondClock, Timers } from "./clock";
import type { Device } from "./io";
import type { Log } from "./log";
import type { MqttSession } from "./mqtt";
import type { KeyValueStore } from "./storage";
import type { SystemInfo } from "./system";

/** Everything the node's logic is handed. Only `platform/esp32` and `platform/sim` build one. */
export interface Platform {
  clock: Clock;
  timers: Timers;
  /** For sampling bursts (CT true RMS); optional so nodes that sample nothing fast need not have one. */
  microClock?: MicrosecondClock;
  device: Device;
  mqtt: MqttSession;
  storage: KeyValueStore;
  system: SystemInfo;
  log: Log;
}
