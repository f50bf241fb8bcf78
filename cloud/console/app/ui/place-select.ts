import { html } from "lit";
import type { PlaceRow } from "../api";

/**
 * A place by its path's names below the street ("Heping Community › No. 3 Compound › Capsule"),
 * as people find it. `rows` may be only the viewer's places: an id not among them is skipped.
 */
export function placeTrail(place: PlaceRow, rows: readonly PlaceRow[], keepLevels = 3): string {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const names = place.path
    .split("/")
    .filter(Boolean)
    .map((id) => byId.get(id))
    .filter((row): row is PlaceRow => !!row && row.level !== "street")
    .map((row) => row.name);
  return names.slice(-keepLevels).join(" › ");
}

/**
 * A labelled <select> of places (of the given levels) with an "all" choice first; `onPick` gets
 * the chosen id, or "" for all.
 */
export function placeSelect(options: {
  id: string;
  label: string;
  allLabel: string;
  places: readonly PlaceRow[];
  levels: readonly string[];
  selected: string;
  onPick: (placeId: string) => void;
}) {
  const offered = options.places.filter((p) => options.levels.includes(p.level));
  return html`<label for=${options.id}>${options.label}</label>
    <select id=${options.id} @change=${(e: Event) => options.onPick((e.target as HTMLSelectElement).value)}>
      <option value="" ?selected=${!options.selected}>${options.allLabel}</option>
      ${offered.map((p) => html`<option value=${p.id} ?selected=${p.id === options.selected}>${placeTrail(p, options.places)}</option>`)}
    </select>`;
}
