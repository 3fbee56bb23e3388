import type {
  Band,
  BandedVariable,
  Comparator,
  Threshold,
} from '../protocol/protocol.types.js';

/**
 * A verdict that may not be reachable yet: `undecided` when items not
 * assessed could still turn it either way.
 */
export type Outcome = 'met' | 'not-met' | 'undecided';

/** The scores still reachable: every item not assessed at its lowest, or at its highest. */
export interface ScoreRange {
  readonly min: number;
  readonly max: number;
}

/**
 * How one criterion of a calculator came out, with the value it used.
 * `not-assessed`: an item it needs is not assessed and could still change
 * it (its `missing` items say which); `met` is then false (met on what is
 * known).
 */
export interface CriterionResult {
  readonly id: string;
  readonly label: string;
  readonly status: 'met' | 'not-met' | 'explained-otherwise' | 'not-assessed';
  readonly met: boolean;
  /** The value the rule was applied to, in the rule's unit. */
  readonly value?: number | boolean;
  readonly unit?: string;
  /** The rule in words, e.g. "> 684 ng/mL". */
  readonly rule: string;
  /** Points on what is known (items not assessed at their lowest). */
  readonly points?: number;
  /** Points still reachable, when items not assessed could change them. */
  readonly pointsRange?: ScoreRange;
  /** Items not assessed that could still change this criterion. */
  readonly missing?: readonly string[];
  readonly note?: string;
  readonly evidence: readonly string[];
}

export function compare(value: number, op: Comparator, limit: number): boolean {
  switch (op) {
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
  }
}

export function meets(value: number, threshold: Threshold): boolean {
  return compare(value, threshold.op, threshold.value);
}

/**
 * Where a range of reachable scores stands against a cut-off: met (or not)
 * at both ends is decided; met at one end only is undecided.
 */
export function rangeOutcome(range: ScoreRange, threshold: Threshold): Outcome {
  const atMin = meets(range.min, threshold);
  const atMax = meets(range.max, threshold);
  if (atMin && atMax) return 'met';
  if (!atMin && !atMax) return 'not-met';
  return 'undecided';
}

export function describeThreshold(threshold: Threshold): string {
  const unit = threshold.unit === '1' ? '' : ` ${threshold.unit}`;
  return `${threshold.op} ${threshold.value}${unit}`;
}

function inBand(value: number, band: Band): boolean {
  const aboveMin =
    band.min === undefined ||
    (band.min.inclusive ? value >= band.min.value : value > band.min.value);
  const belowMax =
    band.max === undefined ||
    (band.max.inclusive ? value <= band.max.value : value < band.max.value);
  return aboveMin && belowMax;
}

export function describeBand(band: Band, unit: string): string {
  const u = unit === '1' ? '' : ` ${unit}`;
  if (band.min && band.max) {
    return `${band.min.inclusive ? '>=' : '>'} ${band.min.value} and ${band.max.inclusive ? '<=' : '<'} ${band.max.value}${u}`;
  }
  if (band.min)
    return `${band.min.inclusive ? '>=' : '>'} ${band.min.value}${u}`;
  if (band.max)
    return `${band.max.inclusive ? '<=' : '<'} ${band.max.value}${u}`;
  return 'any value';
}

/** The one band holding `value` (bands partition the line). */
export function findBand(value: number, variable: BandedVariable): Band {
  const band = variable.bands.find((candidate) => inBand(value, candidate));
  if (!band) {
    // Protocol data is checked by tests to leave no gaps; this is a bug.
    throw new Error(`no band holds ${value} ${variable.unit}`);
  }
  return band;
}
