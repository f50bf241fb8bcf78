import type { PlaceRow } from "../../api";
import { t, type MessageKey } from "../../i18n/i18n";
import type { Shift, StaffRole } from "../../staff-api";
import { placeTrail } from "../../ui/place-select";

/** Every role, in the order a community office thinks of them; a Record, so a new role without words is a compile error. */
export const ROLE_WORDS: Record<StaffRole, MessageKey> = {
  "grid-worker": "role.grid-worker",
  "building-lead": "role.building-lead",
  "property-staff": "role.property-staff",
  "community-office": "role.community-office",
  "street-office": "role.street-office",
  "fire-liaison": "role.fire-liaison",
  "aed-volunteer": "role.aed-volunteer",
};
export const ROLES = Object.keys(ROLE_WORDS) as StaffRole[];

/** Weekdays Monday first, as a Chinese calendar shows them; the codes are the API's. */
export const DAY_WORDS: Record<Shift["days"][number], MessageKey> = {
  mon: "staff.day.mon",
  tue: "staff.day.tue",
  wed: "staff.day.wed",
  thu: "staff.day.thu",
  fri: "staff.day.fri",
  sat: "staff.day.sat",
  sun: "staff.day.sun",
};
export const DAYS = Object.keys(DAY_WORDS) as Array<Shift["days"][number]>;

/** "Mon, Tue 08:00–20:00; Sat 09:00–12:00", or "any time" without windows (the router calls them any time then). */
export function shiftsText(shifts: readonly Shift[]): string {
  if (!shifts.length) return t("staff.anyTime");
  return shifts
    .map((s) => t("staff.shiftLine", { days: DAYS.filter((d) => s.days.includes(d)).map((d) => t(DAY_WORDS[d])).join(t("staff.listJoin")), start: s.start, end: s.end }))
    .join(t("staff.shiftJoin"));
}

/** A person's places by name ("Heping Community、No. 3 Compound › Building 1"). */
export function scopesText(scopes: readonly string[], places: readonly PlaceRow[]): string {
  if (!scopes.length) return t("staff.noScopes");
  return scopes
    .map((id) => {
      const place = places.find((p) => p.id === id);
      return place ? placeTrail(place, places) : id;
    })
    .join(t("staff.listJoin"));
}
