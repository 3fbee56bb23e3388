/** The limits of the HTTP layer (not clinical figures). */

/**
 * The largest request body the service reads, in bytes (a lab panel is under
 * a kilobyte; Express's JSON parser had the same limit): larger is a 413.
 */
export const BODY_LIMIT_BYTES = 100 * 1024;

/**
 * How long a request may take to arrive, headers and body, in ms: Node's own
 * default, which Fastify turns off (a body trickled in slowly would hold its
 * connection for good).
 */
export const REQUEST_TIMEOUT_MS = 300_000;

/**
 * The longest path parameter routed, in characters (Fastify's default, 100,
 * refused longer ids with a 414 before authentication): an unknown id up to
 * this long is a 404 naming it, a longer one a 404 of the route.
 */
export const MAX_PARAM_LENGTH = 2048;
