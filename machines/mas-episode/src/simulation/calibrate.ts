/**
 * The death hazard as a fit (`npm run calibrate`): MODEL OUTPUT, never
 * evidence.
 *
 * What is fitted: `simulationModel.mortality.hazardPerHour`, so that the
 * protocol policy over the sJIA scenarios gives the published sJIA-MAS
 * mortality (`mortalityCalibration.target`, clinical-facts §8).
 *
 * The unit of observation is a batch, not a course: batch `s` is what
 * `runBatch` runs with seed `s` over the sJIA scenarios (course `i` of every
 * scenario has the seed `courseSeed(s, i)`, so the scenarios of a batch share
 * their patients' random streams and its courses are not independent).
 * Batches with different seeds share no course seed (checked), so the batch
 * mortalities are independent observations: the mean mortality is their
 * mean, its interval the t-interval over them.
 *
 * The search: bisection on the hazard with common random numbers. Every
 * candidate hazard runs the same courses (same seeds); a course draws one
 * uniform number an hour for death whatever the hazard and nothing else
 * depends on the hazard before death, so a course that dies at a hazard dies
 * at every higher one and one that survives survives at every lower one. The
 * mean mortality is then monotone in the hazard (a step function), bisection
 * converges to the smallest hazard whose mean reaches the target, and a
 * course whose outcome the bounds already decide is not run again.
 *  1. Bracket: 0 (nobody dies) below; above, twice the model's value,
 *     doubled until the mean reaches the target.
 *  2. Bisect until the bracket is narrower than the relative tolerance; the
 *     fit is the top of the bracket (the mean there reaches the target, just
 *     below it does not), rounded for the model.
 *  3. At the rounded value: the mean, its t-interval over the batches and the
 *     design effect (how much wider than the binomial interval of as many
 *     independent courses).
 *  4. The hazard's interval: the hazards at which the target lies inside the
 *     mortality interval (two more bisections, to a looser tolerance).
 */
import type { InstitutionProfile } from '@mas/protocol';
import {
  mortalityCalibration,
  type Scenario,
  scenarioById,
  simulationModel,
  sjiaScenarioIds,
  withDeathHazard,
} from '@mas/simulation';

import { simulateCourse } from './course.js';
import { courseSeed } from './course-seed.js';
import { type Policy, policyById } from './policies.js';

/** Which batches: seeds `firstSeed` .. `firstSeed + batches - 1`. */
export interface BatchDesign {
  readonly firstSeed: number;
  readonly batches: number;
  readonly runsPerScenario: number;
}

/** The fit's batches and the test's, as the model parameter file sets them. */
export const calibrationDesigns = {
  fit: {
    firstSeed: mortalityCalibration.fitSeeds.first.value,
    batches: mortalityCalibration.fitSeeds.batches.value,
    runsPerScenario: mortalityCalibration.fitSeeds.runsPerScenario.value,
  },
  check: {
    firstSeed: mortalityCalibration.checkSeeds.first.value,
    batches: mortalityCalibration.checkSeeds.batches.value,
    runsPerScenario: mortalityCalibration.checkSeeds.runsPerScenario.value,
  },
} as const satisfies Record<string, BatchDesign>;

/** The mortality over a design's batches at one hazard. */
export interface MortalityEstimate {
  readonly hazardPerHour: number;
  readonly batches: number;
  readonly coursesPerBatch: number;
  readonly died: number;
  /** Mean of the batch mortalities (fractions). */
  readonly mean: number;
  /** Standard deviation of the batch mortalities. */
  readonly sd: number;
  /** t-interval of the mean over the batches, at `confidence`. */
  readonly interval: { readonly low: number; readonly high: number };
  readonly confidence: number;
  /**
   * Variance of the batch mortalities over the binomial variance of as many
   * independent courses (1: no clustering).
   */
  readonly designEffect: number;
  /** Courses run for this estimate (the rest were decided by earlier ones). */
  readonly simulated: number;
}

// --- Student's t (for the interval over batch means) ----------------------

function lnGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const g = [
    0.999_999_999_999_809_9, 676.520_368_121_885_1, -1_259.139_216_722_402_8,
    771.323_428_777_653_1, -176.615_029_162_140_6, 12.507_343_278_686_905,
    -0.138_571_095_265_720_12, 9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
  ];
  if (x < 0.5) {
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  }
  const z = x - 1;
  let a = g[0] ?? 0;
  const t = z + 7.5;
  for (let i = 1; i < 9; i += 1) a += (g[i] ?? 0) / (z + i);
  return (
    0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
  );
}

/** Regularised incomplete beta I_x(a, b) (continued fraction, Lentz). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(
    lnGamma(a + b) -
      lnGamma(a) -
      lnGamma(b) +
      a * Math.log(x) +
      b * Math.log(1 - x),
  );
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 300; m += 1) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + even * d;
    c = 1 + even / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    f *= c * d;
    const odd = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + odd * d;
    c = 1 + odd / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    const step = c * d;
    f *= step;
    if (Math.abs(step - 1) < 1e-14) break;
  }
  return (front * f) / a;
}

/** The t such that P(|T| <= t) = `confidence` with `df` degrees of freedom. */
export function studentT(confidence: number, df: number): number {
  const inside = (t: number) =>
    1 - incompleteBeta(df / (df + t * t), df / 2, 0.5);
  let lo = 0;
  let hi = 1_000;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i += 1) {
    const mid = (lo + hi) / 2;
    if (inside(mid) < confidence) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean, sd and t-interval of per-batch mortalities. */
export function batchInterval(
  batchMortality: readonly number[],
  coursesPerBatch: number,
  confidence: number,
): Pick<MortalityEstimate, 'mean' | 'sd' | 'interval' | 'designEffect'> {
  const n = batchMortality.length;
  if (n < 2) throw new RangeError('an interval over batches needs 2 or more');
  const mean = batchMortality.reduce((a, b) => a + b, 0) / n;
  const variance =
    batchMortality.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const sd = Math.sqrt(variance);
  const half = (studentT(confidence, n - 1) * sd) / Math.sqrt(n);
  const binomial = (mean * (1 - mean)) / coursesPerBatch;
  return {
    mean,
    sd,
    interval: { low: Math.max(0, mean - half), high: Math.min(1, mean + half) },
    designEffect: binomial > 0 ? variance / binomial : Number.NaN,
  };
}

// --- The mortality curve, with common random numbers ----------------------

interface Course {
  readonly batch: number;
  readonly scenario: Scenario;
  readonly seed: number;
  /** The course survives at every hazard up to this one (known). */
  survivesUpTo: number;
  /** The course dies at every hazard from this one (known). */
  diesFrom: number;
}

/**
 * The mean mortality of a design's batches as a function of the death
 * hazard, the same courses at every hazard. Each course keeps the bounds its
 * runs so far have established; only courses between them are run.
 */
export class MortalityCurve {
  private readonly courses: Course[] = [];
  private readonly confidence: number;
  /** Courses run so far, over every hazard. */
  simulated = 0;

  constructor(
    readonly design: BatchDesign,
    private readonly context: {
      readonly profile: InstitutionProfile;
      readonly policy?: Policy;
      readonly scenarios?: readonly Scenario[];
      readonly confidence?: number;
    },
  ) {
    const { firstSeed, batches, runsPerScenario } = design;
    if (![firstSeed, batches, runsPerScenario].every(Number.isInteger)) {
      throw new RangeError('seeds, batches and runs must be whole numbers');
    }
    if (batches < 2 || runsPerScenario < 1) {
      throw new RangeError('at least 2 batches of at least 1 course each');
    }
    const scenarios =
      context.scenarios ?? sjiaScenarioIds.map((id) => scenarioById(id));
    const seen = new Map<number, number>();
    for (let batch = 0; batch < batches; batch += 1) {
      for (let i = 0; i < runsPerScenario; i += 1) {
        const seed = courseSeed(firstSeed + batch, i);
        const other = seen.get(seed);
        if (other !== undefined && other !== batch) {
          throw new Error(
            `batches ${firstSeed + other} and ${firstSeed + batch} share the course seed ${seed}: they are not independent`,
          );
        }
        seen.set(seed, batch);
        for (const scenario of scenarios) {
          this.courses.push({
            batch,
            scenario,
            seed,
            survivesUpTo: 0,
            diesFrom: Number.POSITIVE_INFINITY,
          });
        }
      }
    }
    this.confidence =
      context.confidence ?? mortalityCalibration.search.confidence.value;
  }

  /** The course seeds of the design (to check two designs are disjoint). */
  seeds(): Set<number> {
    return new Set(this.courses.map((c) => c.seed));
  }

  /** Mean mortality and its interval over the batches at this hazard. */
  at(hazardPerHour: number): MortalityEstimate {
    const policy =
      this.context.policy ?? policyById(mortalityCalibration.policyId);
    const { batches } = this.design;
    const died = new Array<number>(batches).fill(0);
    let simulated = 0;
    withDeathHazard(hazardPerHour, () => {
      for (const course of this.courses) {
        let dies: boolean;
        if (hazardPerHour <= course.survivesUpTo) dies = false;
        else if (hazardPerHour >= course.diesFrom) dies = true;
        else {
          dies =
            simulateCourse({
              scenario: course.scenario,
              policy,
              seed: course.seed,
              profile: this.context.profile,
            }).outcome === 'died';
          simulated += 1;
          if (dies) course.diesFrom = hazardPerHour;
          else course.survivesUpTo = hazardPerHour;
        }
        if (dies) died[course.batch] = (died[course.batch] ?? 0) + 1;
      }
    });
    this.simulated += simulated;
    const coursesPerBatch = this.courses.length / batches;
    return {
      hazardPerHour,
      batches,
      coursesPerBatch,
      died: died.reduce((a, b) => a + b, 0),
      ...batchInterval(
        died.map((d) => d / coursesPerBatch),
        coursesPerBatch,
        this.confidence,
      ),
      confidence: this.confidence,
      simulated,
    };
  }
}

// --- The search -------------------------------------------------------------

export type SearchPurpose =
  'bracket' | 'fit' | 'rounded' | 'interval low' | 'interval high';

export interface SearchStep {
  readonly purpose: SearchPurpose;
  readonly estimate: MortalityEstimate;
  /** The bracket of the bisection after this step (null: not a bisection). */
  readonly bracket: readonly [number, number] | null;
}

export interface CalibrationResult {
  readonly notice: string;
  readonly target: typeof mortalityCalibration.target;
  readonly policyId: string;
  readonly scenarioIds: readonly string[];
  readonly design: BatchDesign;
  readonly steps: readonly SearchStep[];
  /** The smallest hazard whose mean mortality reaches the target (to the tolerance). */
  readonly fitted: number;
  /** The fit rounded for the model, and the mortality there. */
  readonly rounded: MortalityEstimate;
  /** Hazards at which the target lies inside the mortality interval. */
  readonly hazardInterval: { readonly low: number; readonly high: number };
  /** The model parameter file's value, and how it compares with the fit. */
  readonly model: {
    readonly hazardPerHour: number;
    readonly verdict:
      'matches' | 'within the interval' | 'outside the interval';
  };
  readonly simulated: number;
}

/** `value` rounded to `digits` significant digits. */
export function roundSignificant(value: number, digits: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(digits));
}

/**
 * Fits the death hazard (see the top of this file): the search, the fit,
 * the mortality at the rounded fit and the hazard's interval.
 */
export function calibrateDeathHazard(options: {
  readonly profile: InstitutionProfile;
  readonly design?: BatchDesign;
  readonly onStep?: (step: SearchStep) => void;
}): CalibrationResult {
  const design = options.design ?? calibrationDesigns.fit;
  const target = mortalityCalibration.target.value;
  const { relativeTolerance, intervalRelativeTolerance } =
    mortalityCalibration.search;
  const modelValue = simulationModel.mortality.hazardPerHour.value;
  const curve = new MortalityCurve(design, { profile: options.profile });
  const steps: SearchStep[] = [];
  const evaluate = (
    purpose: SearchPurpose,
    hazard: number,
    bracketAfter?: (e: MortalityEstimate) => readonly [number, number],
  ) => {
    const estimate = curve.at(hazard);
    const step = {
      purpose,
      estimate,
      bracket: bracketAfter ? bracketAfter(estimate) : null,
    };
    steps.push(step);
    options.onStep?.(step);
    return estimate;
  };
  /** Smallest hazard in (from, to] where `reached` holds (false at from, true at to). */
  const bisect = (
    purpose: SearchPurpose,
    reached: (e: MortalityEstimate) => boolean,
    from: number,
    to: number,
    tolerance: number,
  ) => {
    let below = from;
    let above = to;
    while (above - below > tolerance * above) {
      const mid = (below + above) / 2;
      evaluate(purpose, mid, (e) => {
        if (reached(e)) above = mid;
        else below = mid;
        return [below, above];
      });
    }
    return above;
  };

  // 1. The bracket: 0 below; twice the model's value above, doubled as needed.
  const reachesTarget = (e: MortalityEstimate) => e.mean >= target;
  let lo = 0;
  let hi = 2 * (modelValue > 0 ? modelValue : 1e-3);
  for (let i = 0; ; i += 1) {
    const estimate = evaluate('bracket', hi);
    if (reachesTarget(estimate)) break;
    if (i === 30) throw new Error('no hazard reaches the target mortality');
    lo = hi;
    hi *= 2;
  }
  // 2. Bisection.
  const fitted = bisect('fit', reachesTarget, lo, hi, relativeTolerance.value);
  // 3. The rounded value.
  const roundedValue = roundSignificant(
    fitted,
    mortalityCalibration.search.significantDigits.value,
  );
  const rounded = evaluate('rounded', roundedValue);
  // 4. The hazard's interval: from where the top of the mortality interval
  //    reaches the target to where its bottom passes it.
  const intervalReaches = (e: MortalityEstimate) => e.interval.high >= target;
  const intervalPasses = (e: MortalityEstimate) => e.interval.low > target;
  const low = bisect(
    'interval low',
    intervalReaches,
    0,
    fitted,
    intervalRelativeTolerance.value,
  );
  let ceiling = hi;
  for (let i = 0; !intervalPasses(curve.at(ceiling)); i += 1) {
    if (i === 30) throw new Error('no hazard puts the interval above target');
    ceiling *= 2;
  }
  const high = bisect(
    'interval high',
    intervalPasses,
    fitted,
    ceiling,
    intervalRelativeTolerance.value,
  );
  const equal = Math.abs(modelValue - roundedValue) <= 1e-12 * roundedValue;
  return {
    notice: simulationModel.notice,
    target: mortalityCalibration.target,
    policyId: mortalityCalibration.policyId,
    scenarioIds: sjiaScenarioIds,
    design,
    steps,
    fitted,
    rounded,
    hazardInterval: { low, high },
    model: {
      hazardPerHour: modelValue,
      verdict: equal
        ? 'matches'
        : modelValue >= low && modelValue <= high
          ? 'within the interval'
          : 'outside the interval',
    },
    simulated: curve.simulated,
  };
}
