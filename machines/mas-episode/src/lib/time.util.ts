/** Time arithmetic on ISO 8601 instants. Pure: time arrives in events. */

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_HOUR = 60;
/** Calendar days of UTC instants (no daylight saving). */
export const HOURS_PER_DAY = 24;

/**
 * Instants already read, to their milliseconds: the dose checks read the
 * same few instants (a record's start and stop) many times over, and a
 * parse costs several times a look-up. Bounded: emptied when full.
 */
const parsed = new Map<string, number>();
const PARSED_AT_MOST = 4096;

export function toMs(instant: string): number {
  let ms = parsed.get(instant);
  if (ms === undefined) {
    ms = Date.parse(instant);
    if (parsed.size >= PARSED_AT_MOST) parsed.clear();
    parsed.set(instant, ms);
  }
  return ms;
}

/** The instant in canonical form (UTC, milliseconds). */
export function normalize(instant: string): string {
  return new Date(toMs(instant)).toISOString();
}

export function addHours(instant: string, hours: number): string {
  return new Date(
    toMs(instant) + hours * MINUTES_PER_HOUR * MS_PER_MINUTE,
  ).toISOString();
}

export function minutesBetween(from: string, to: string): number {
  return Math.round((toMs(to) - toMs(from)) / MS_PER_MINUTE);
}

export function hoursBetween(from: string, to: string): number {
  return minutesBetween(from, to) / MINUTES_PER_HOUR;
}

export function later(a: string, b: string): string {
  return toMs(a) >= toMs(b) ? a : b;
}

export function isAtOrAfter(a: string, b: string): boolean {
  return toMs(a) >= toMs(b);
}
