/** A weekly on-duty window in the site's local time; see `dutyShifts` in the schema. */
export interface DutyWindow {
  /** Bit mask of weekdays, bit 0 = Sunday. */
  days: number;
  startMinute: number;
  endMinute: number;
}

const MINUTES_PER_DAY = 24 * 60;

/**
 * Whether a person with these windows is on duty at `atMs`. No window means always on duty:
 * in a small community a volunteer without a roster would rather be called than missed.
 * China keeps one offset all year (UTC+8, no daylight saving), so a fixed offset is exact there.
 */
export function isOnDuty(windows: readonly DutyWindow[], atMs: number, utcOffsetMinutes: number): boolean {
  if (windows.length === 0) return true;
  const local = new Date(atMs + utcOffsetMinutes * 60_000);
  const day = local.getUTCDay();
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const yesterday = (day + 6) % 7;
  return windows.some((w) => {
    if (w.startMinute <= w.endMinute) return (w.days & (1 << day)) !== 0 && minute >= w.startMinute && minute < w.endMinute;
    // Past midnight: the evening part belongs to today's bit, the early-morning part to yesterday's.
    return ((w.days & (1 << day)) !== 0 && minute >= w.startMinute) || ((w.days & (1 << yesterday)) !== 0 && minute < w.endMinute);
  });
}

/** Parses `HH:MM` into minutes of the day; null when it is not a time. */
export function parseClock(text: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

export function isMinuteOfDay(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < MINUTES_PER_DAY;
}
