// Moddable SDK `net` module (the chip's MAC), not Node's: only platform/esp32 imports device modules.
import Net from "net";
import { serialFromMac } from "../../../shared/claim";

/** The chip's factory MAC (the Wi-Fi station MAC is the eFuse base MAC) as the node's serial. */
export function chipSerial(): string {
  const mac = Net.get("MAC");
  const serial = serialFromMac(mac);
  if (!serial) throw new Error(`the chip's MAC "${mac}" is not 6 hex bytes`);
  return serial;
}
