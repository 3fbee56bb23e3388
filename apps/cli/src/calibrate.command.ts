import {
  type BatchDesign,
  calibrateDeathHazard,
  calibrationDesigns,
  type CalibrationResult,
  type SearchStep,
} from '@mas/mas-episode/simulation';
import { ClinicalInputError, type InstitutionProfile } from '@mas/protocol';
import { simulationModel } from '@mas/simulation';

export interface CalibrateOptions {
  /** First batch seed (default: the fit's, from the model parameter file). */
  readonly seed?: number;
  readonly batches?: number;
  readonly runs?: number;
}

const percent = (fraction: number, digits = 2) =>
  `${(100 * fraction).toFixed(digits)}%`;
const hazard = (value: number, digits = 4) => value.toExponential(digits - 1);

const columns = [
  ['step', 4],
  ['purpose', 13],
  ['hazard (1/h)', 12],
  ['mean', 7],
  ['interval', 15],
  ['bracket after', 21],
  ['courses run', 11],
] as const;

/** One line of the search (also the progress line). */
export function formatStep(step: SearchStep, index: number): string {
  const e = step.estimate;
  const cells = [
    String(index + 1),
    step.purpose,
    hazard(e.hazardPerHour, 5),
    percent(e.mean),
    `${percent(e.interval.low)}–${percent(e.interval.high)}`,
    step.bracket === null
      ? '—'
      : `${hazard(step.bracket[0])}–${hazard(step.bracket[1])}`,
    String(e.simulated),
  ];
  return cells
    .map((cell, i) =>
      i === 0 || i === cells.length - 1
        ? cell.padStart(columns[i]?.[1] ?? 0)
        : cell.padEnd(columns[i]?.[1] ?? 0),
    )
    .join(' ');
}

const verdicts: Record<CalibrationResult['model']['verdict'], string> = {
  matches: 'matches the fit',
  'within the interval':
    'differs from the rounded fit but lies within its interval: update model.parameters.ts (hazardPerHour and mortalityCalibration.fit)',
  'outside the interval':
    "lies OUTSIDE the fit's interval: update model.parameters.ts (hazardPerHour and mortalityCalibration.fit)",
};

/** The calibration's report, labelled as model output. */
export function formatCalibration(result: CalibrationResult): string {
  const { design, target, rounded } = result;
  const courses = rounded.coursesPerBatch * rounded.batches;
  const level = percent(rounded.confidence, 0);
  const digits = 2;
  const header = columns
    .map(([name, width], i) =>
      i === 0 || i === columns.length - 1
        ? name.padStart(width)
        : name.padEnd(width),
    )
    .join(' ');
  return [
    `MODEL OUTPUT — ${result.notice}`,
    `Calibration of the death hazard (model ${simulationModel.id} ${simulationModel.version}): the ${result.policyId} policy over the ${result.scenarioIds.length} sJIA scenarios (${result.scenarioIds.join(', ')})`,
    `should give the published sJIA-MAS mortality ${percent(target.value, 0)} (${target.citation}, ${target.evidence}).`,
    `Batches: seeds ${design.firstSeed}–${design.firstSeed + design.batches - 1}, ${design.runsPerScenario} courses per scenario each (${rounded.coursesPerBatch} a batch, ${courses} in all). A batch is one observation`,
    '(its scenarios share their course seeds); no course seed is shared between batches. Intervals: t over the batch mortalities.',
    'Search: bisection on the hazard with common random numbers (the same courses at every value, so the mean mortality is monotone',
    'in the hazard); a course is run again only when earlier runs do not decide its outcome at the new value.',
    '',
    header,
    ...result.steps.map(formatStep),
    '',
    `Fitted hazard: ${hazard(result.fitted, 5)} /h (the smallest value whose mean mortality reaches ${percent(target.value, 0)}); rounded: ${hazard(rounded.hazardPerHour, digits)} /h`,
    `Mean mortality at ${hazard(rounded.hazardPerHour, digits)} /h: ${percent(rounded.mean)} over ${rounded.batches} batches, ${level} interval ${percent(rounded.interval.low)}–${percent(rounded.interval.high)}`,
    `  (design effect ${rounded.designEffect.toFixed(2)}: the batch mortalities vary ${rounded.designEffect.toFixed(2)}× as much as independent courses would; a binomial interval over ${courses} courses would be ${Math.sqrt(rounded.designEffect).toFixed(2)}× too narrow)`,
    `Hazard interval (${level}): ${hazard(result.hazardInterval.low, 3)}–${hazard(result.hazardInterval.high, 3)} /h (the hazards whose mortality interval holds ${percent(target.value, 0)})`,
    `Model parameter file: mortality.hazardPerHour = ${hazard(result.model.hazardPerHour, digits)} /h ${verdicts[result.model.verdict]}`,
    `${result.simulated} courses run in all.`,
    '',
  ].join('\n');
}

function whole(value: number | undefined, flag: string, least: number) {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < least) {
    throw new ClinicalInputError(
      flag,
      `must be a whole number${least > Number.MIN_SAFE_INTEGER ? ` >= ${least}` : ''}`,
    );
  }
  return value;
}

/**
 * Fits the death hazard over the fit's batches (or others given); `onStep`
 * reports each step of the search as it is done.
 */
export function calibrate(
  options: CalibrateOptions,
  profile: InstitutionProfile,
  onStep?: (line: string) => void,
): CalibrationResult {
  const fit = calibrationDesigns.fit;
  const design: BatchDesign = {
    firstSeed:
      whole(options.seed, '--seed', Number.MIN_SAFE_INTEGER) ?? fit.firstSeed,
    batches: whole(options.batches, '--batches', 2) ?? fit.batches,
    runsPerScenario: whole(options.runs, '--runs', 1) ?? fit.runsPerScenario,
  };
  let index = 0;
  return calibrateDeathHazard({
    profile,
    design,
    ...(onStep
      ? {
          onStep: (step: SearchStep) => {
            onStep(`${formatStep(step, index)}\n`);
            index += 1;
          },
        }
      : {}),
  });
}
