/** Time arithmetic on ISO 8601 instants. Pure: time arrives in events. */

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_HOUR = 60;

export function toMs(instant: string): number {
  return Date.parse(instant);
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
