import { html } from "lit";
import type { DeviceRow } from "../../fleet-api";
import { t, type MessageKey } from "../../i18n/i18n";

/** Node kinds in words; a Record, so a new kind without words is a compile error. */
export const KIND_WORDS: Record<DeviceRow["kind"], MessageKey> = {
  sensor: "fleet.kind.sensor",
  elevator: "fleet.kind.elevator",
  capsule: "fleet.kind.capsule",
};

/** A device's claim state in words (the installer's own words for them), with a tone for colour. */
export const STATE_WORDS: Record<DeviceRow["state"], { key: MessageKey; tone: "ok" | "warn" | "bad" | "plain" }> = {
  pending: { key: "install.state.pending", tone: "plain" },
  claimed: { key: "install.state.claimed", tone: "warn" },
  online: { key: "install.state.online", tone: "ok" },
  released: { key: "install.state.released", tone: "warn" },
  revoked: { key: "install.state.revoked", tone: "bad" },
};

export function stateBadge(state: DeviceRow["state"]) {
  const words = STATE_WORDS[state];
  return html`<span class="state-word state-${words.tone}" data-state=${state}>${t(words.key)}</span>`;
}
