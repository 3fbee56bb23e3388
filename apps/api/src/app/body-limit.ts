/**
 * The largest request body the service reads, in bytes (a lab panel is under
 * a kilobyte; Express's JSON parser had the same limit): larger is a 413.
 */
export const BODY_LIMIT_BYTES = 100 * 1024;
