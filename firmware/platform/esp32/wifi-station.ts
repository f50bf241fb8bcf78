import WiFi, { type WiFiCallback } from "wifi";
import type { JoinOutcome, VisibleNetwork, WifiStation } from "../../ports/wifi";

/** What Moddable's ESP32 `wifi` passes with "disconnect" when the 4-way handshake failed (modules/network/wifi/esp32/xs6wifi.c). */
const WRONG_PASSWORD = -1;

/**
 * The ESP32's station through Moddable's `wifi` module. A handshake failure is a wrong password;
 * any other disconnect before an address is taken as the network not being there (ESP-IDF's
 * NO_AP_FOUND and its kin); no answer at all is the caller's timeout. Unverified on a device.
 */
export class Esp32WifiStation implements WifiStation {
  #wifi: WiFi | undefined;

  join(ssid: string, password: string, done: (outcome: Exclude<JoinOutcome, "timeout">) => void): void {
    this.cancel();
    WiFi.mode = WiFi.Mode.station;
    let answered = false;
    const answer = (outcome: Exclude<JoinOutcome, "timeout">) => {
      if (answered) return;
      answered = true;
      done(outcome);
    };
    const callback = (message: string, reason?: number) => {
      if (message === WiFi.gotIP) answer("connected");
      else if (message === WiFi.disconnected) answer(reason === WRONG_PASSWORD ? "wrong-password" : "no-network");
    };
    // The typings name only the message; the ESP32 port passes the disconnect reason as a second argument.
    this.#wifi = new WiFi({ ssid, password }, callback as WiFiCallback);
  }

  cancel(): void {
    this.#wifi?.close();
    this.#wifi = undefined;
  }

  scan(done: (networks: VisibleNetwork[]) => void): void {
    const found = new Map<string, VisibleNetwork>();
    WiFi.scan({}, (item) => {
      if (item) {
        const known = found.get(item.ssid);
        if (item.ssid && (!known || known.rssiDbm < item.rssi)) found.set(item.ssid, { ssid: item.ssid, rssiDbm: item.rssi, secured: item.authentication !== "none" });
        return;
      }
      done([...found.values()].sort((a, b) => b.rssiDbm - a.rssiDbm));
    });
  }
}
