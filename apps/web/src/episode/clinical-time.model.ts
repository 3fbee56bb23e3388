/**
 * Clinical times in the forms: when a drug was given, a sample drawn, a
 * therapy stopped. Distinct from when the event is recorded; entered in the
 * browser's local time, sent as ISO 8601 with an offset, and shown in the
 * browser's local time with its zone everywhere (one clock on one screen:
 * a card in CET beside a list in UTC made one dose read as two times).
 */

/** "1 Mar 2026, 09:00 CET" (the text as given when it is not a time). */
export function formatTime(iso: string): string {
  return formatLocal(iso);
}

const utcTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** "1 Mar 2026, 08:00 UTC": the same instant in UTC, for a hover title. */
export function formatUtcTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${utcTime.format(new Date(ms))} UTC`;
}

/** The browser's own time zone (the ward's clock). */
export const localTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/**
 * "1 Mar 2026, 09:00 CET": a time in the browser's local time, with its zone
 * (the UTC time is the element's title: see `LocalTime`).
 */
export function formatLocal(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : localTime.format(new Date(ms));
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Whole days from a birth date (a calendar day, UTC) to an instant; null
 * when either is not a time.
 */
export function ageInDays(birthDate: string, at: string): number | null {
  const days = Math.floor(
    (Date.parse(at) - Date.parse(`${birthDate}T00:00:00Z`)) / DAY,
  );
  return Number.isFinite(days) ? days : null;
}

/** A form's "now": the instant to the minute (never in the future). */
export function minuteOf(ms: number): string {
  return new Date(Math.floor(ms / MINUTE) * MINUTE).toISOString();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The value of a `datetime-local` input for an ISO time, in local time. */
export function toLocalInput(iso: string | undefined): string {
  if (iso === undefined) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (local time) as ISO 8601 in UTC, or undefined. */
export function fromLocalInput(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) {
    return undefined;
  }
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The browser's offset from UTC at `iso`: "UTC+01:00". */
export function utcOffsetText(iso: string): string {
  const ms = Date.parse(iso);
  const offset = -new Date(Number.isNaN(ms) ? 0 : ms).getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An ISO 8601 instant inside a text (a service's reason or alert). */
const INSTANT_IN_TEXT =
  /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/**
 * A text from the service as a clinician reads it: each ISO instant in it
 * ("due 2026-12-07T09:02:03.552Z") in the browser's local time with its zone
 * ("due 7 Dec 2026, 10:02 CET").
 */
export function readableTimes(text: string): string {
  return text.replace(INSTANT_IN_TEXT, (iso) => {
    const ms = Date.parse(iso);
    // Seconds kept where they are not zero: two times of one minute must
    // not read as the same ("10:02:40 lies before 10:02:10" made sense).
    return !Number.isNaN(ms) && ms % MINUTE !== 0
      ? localTimeSeconds.format(new Date(ms))
      : formatLocal(iso);
  });
}

/** As `localTime`, to the second. */
const localTimeSeconds = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});
