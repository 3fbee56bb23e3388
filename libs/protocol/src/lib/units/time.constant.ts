/** Calendar arithmetic on epoch milliseconds (UTC: no daylight saving). */
export const MS_PER_HOUR = 3_600_000;
export const HOURS_PER_DAY = 24;
export const MS_PER_DAY = MS_PER_HOUR * HOURS_PER_DAY;
export const MINUTES_PER_HOUR = 60;
export const MS_PER_MINUTE = MS_PER_HOUR / MINUTES_PER_HOUR;
