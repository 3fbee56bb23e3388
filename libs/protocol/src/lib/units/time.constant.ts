/** Calendar arithmetic on epoch milliseconds (UTC: no daylight saving). */
export const MS_PER_HOUR = 3_600_000;
export const HOURS_PER_DAY = 24;
export const MS_PER_DAY = MS_PER_HOUR * HOURS_PER_DAY;
export const MINUTES_PER_HOUR = 60;
export const MS_PER_MINUTE = MS_PER_HOUR / MINUTES_PER_HOUR;

/**
 * The world's civil time zones run from UTC−12:00 (Baker Island) to
 * UTC+14:00 (Line Islands): a recorded time with an offset outside them is
 * a typing error (`+15:00` for `+05:00`), never a clinical time.
 */
export const UTC_OFFSET_LIMITS = { west: '-12:00', east: '+14:00' } as const;
