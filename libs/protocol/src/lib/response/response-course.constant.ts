/**
 * A trajectory (each parameter over the course) says more than the two
 * comparisons from this many panels on: a presentation setting of the
 * response texts, not a clinical threshold.
 */
export const TRAJECTORY_MIN_POINTS = 3;
