import type { Incident } from "../api";
import { subscribeThisBrowser } from "./web-push";

let audio: AudioContext | null = null;

/**
 * Turns alerts on from a click (browsers let a page play sound and ask for notifications only
 * after the person does something). Returns whether notifications are allowed.
 */
export async function enableAlerts(): Promise<boolean> {
  audio ??= new AudioContext();
  await audio.resume().catch(() => {});
  if (!("Notification" in window)) return false;
  if (Notification.permission === "default") await Notification.requestPermission();
  // Allowed: this browser also gets the person's alarms by Web Push while the console is closed.
  if (Notification.permission === "granted") void subscribeThisBrowser();
  return Notification.permission === "granted";
}

export function alertsEnabled(): boolean {
  return audio !== null || ("Notification" in window && Notification.permission === "granted");
}

/**
 * Two short tones from the Web Audio API: made in the page, so there is no sound file to serve
 * and nothing to fetch on a LAN with no internet.
 */
function beep(): void {
  if (!audio) return;
  const start = audio.currentTime;
  for (const [offset, hz] of [[0, 880], [0.3, 660]] as const) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.3, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.26);
  }
}

/** A new incident while the page is open: a sound, and a system notification once allowed. */
export function alertNewIncident(incident: Incident, text: string, open: () => void): void {
  beep();
  if ("Notification" in window && Notification.permission === "granted") {
    const note = new Notification(text, { tag: `incident-${incident.id}`, requireInteraction: incident.severity === "urgent" });
    note.onclick = () => {
      window.focus();
      open();
    };
  }
}

/**
 * A notification for this person on the live stream (an escalation to them, a dispatch, a
 * re-check due): a sound, and a system notification once allowed. New incidents ring through
 * alertNewIncident already, so a first round's notice does not ring twice.
 */
export function alertNotification(incident: Incident, purpose: string, text: string, open: () => void): void {
  if (purpose === "notify" || purpose === "reopen") return;
  beep();
  if ("Notification" in window && Notification.permission === "granted") {
    const note = new Notification(text, { tag: `incident-${incident.id}`, requireInteraction: true });
    note.onclick = () => {
      window.focus();
      open();
    };
  }
}
