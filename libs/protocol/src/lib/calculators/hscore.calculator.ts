import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  optionalQuantity,
  panelItemLabel,
} from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type {
  AnalyteId,
  BandedVariable,
  FindingId,
  FindingStatus,
} from '../protocol/protocol.types.js';
import {
  type CriterionResult,
  describeBand,
  describeThreshold,
  findBand,
  meets,
  type Outcome,
  rangeOutcome,
  type ScoreRange,
} from './rule.util.js';

export interface HScoreProbability {
  /** The table's row, or the band between two rows, e.g. "54-70%". */
  readonly label: string;
  readonly kind: 'row' | 'band';
  readonly rows: readonly { readonly score: number; readonly label: string }[];
}

/**
 * `score` is on what is known: every item not assessed counts at its lowest
 * (0 points), so it is `range.min`; `meetsCutoff` is true only when decided
 * (the lowest reachable score meets the cut-off). `range` is what is still
 * reachable; `outcome` says whether the cut-off is met, not met, or cannot be
 * decided yet.
 */
export interface HScoreResult {
  readonly calculator: 'hscore';
  readonly score: number;
  readonly range: ScoreRange;
  readonly maximum: number;
  /** Fardet's table row, or the band between two rows: never interpolated. */
  readonly probability: string;
  readonly probabilityDetail: HScoreProbability;
  readonly cutoff: number;
  readonly meetsCutoff: boolean;
  readonly outcome: Outcome;
  /** Items not assessed that could still change the score (labels). */
  readonly missing: readonly string[];
  readonly criteria: readonly CriterionResult[];
  readonly evidence: readonly string[];
}

const definition = masProtocolDefinition.hscore;
const evidence = definition.evidence;

const lowest = (variable: BandedVariable) =>
  Math.min(...variable.bands.map((b) => b.points));
const highest = (variable: BandedVariable) =>
  Math.max(...variable.bands.map((b) => b.points));

/** The fields every HScore criterion derives from its reachable points. */
function scored(
  range: ScoreRange,
  missing: readonly string[],
): Pick<CriterionResult, 'status' | 'met' | 'points'> &
  Partial<Pick<CriterionResult, 'pointsRange' | 'missing'>> {
  const open = range.max > range.min;
  const fields = {
    status:
      range.min > 0
        ? ('met' as const)
        : open
          ? ('not-assessed' as const)
          : ('not-met' as const),
    met: range.min > 0,
    points: range.min,
  };
  return open ? Object.assign(fields, { pointsRange: range, missing }) : fields;
}

function banded(
  panel: LabPanel,
  id: string,
  label: string,
  analyte: AnalyteId,
  variable: BandedVariable,
): CriterionResult {
  const value = optionalQuantity(panel, analyte, variable.unit);
  if (value === undefined) {
    return Object.assign(
      { id, label },
      scored({ min: lowest(variable), max: highest(variable) }, [
        panelItemLabel(analyte),
      ]),
      {
        unit: variable.unit,
        rule: `not measured: ${lowest(variable)}-${highest(variable)} points`,
        evidence,
      },
    );
  }
  const band = findBand(value, variable);
  return Object.assign(
    { id, label },
    scored({ min: band.points, max: band.points }, []),
    {
      value,
      unit: variable.unit,
      rule: describeBand(band, variable.unit),
      evidence,
    },
  );
}

const findingRange = (status: FindingStatus, points: number): ScoreRange => ({
  min: status === 'present' ? points : 0,
  max: status === 'absent' ? 0 : points,
});

function finding(
  panel: LabPanel,
  id: FindingId,
  label: string,
  points: number,
): CriterionResult {
  const status = panel.findingStatus[id];
  return Object.assign(
    Object.assign(
      { id, label },
      scored(findingRange(status, points), [panelItemLabel(id)]),
      status === 'not-assessed' ? {} : { value: status === 'present' },
    ),
    { rule: `present: ${points} points` },
    status === 'not-assessed' ? { note: 'not assessed' } : {},
    { evidence },
  );
}

function temperature(panel: LabPanel): CriterionResult {
  const variable = definition.temperature;
  const base = {
    id: 'temperature',
    label: 'Temperature (C)',
    unit: 'Cel',
    evidence,
  };
  if (panel.temperatureC === undefined) {
    return Object.assign(
      base,
      scored({ min: lowest(variable), max: highest(variable) }, [
        panelItemLabel('temperatureC'),
      ]),
      {
        rule: `not measured: ${lowest(variable)}-${highest(variable)} points`,
      },
    );
  }
  const band = findBand(panel.temperatureC, variable);
  return Object.assign(
    base,
    scored({ min: band.points, max: band.points }, []),
    { value: panel.temperatureC, rule: describeBand(band, 'Cel') },
  );
}

function organomegaly(panel: LabPanel): CriterionResult {
  const { hepatomegaly, splenomegaly } = panel.findingStatus;
  const points = definition.organomegalyPoints;
  /** Points by the number of enlarged organs (index = count). */
  const byCount = [points.none, points.one, points.both];
  const organs = (count: number) => byCount[count] ?? points.none;
  const statuses = [hepatomegaly, splenomegaly];
  const present = statuses.filter((s) => s === 'present').length;
  const open = statuses.filter((s) => s === 'not-assessed').length;
  const range = { min: organs(present), max: organs(present + open) };
  const words = (status: FindingStatus) =>
    status === 'present' ? 'yes' : status === 'absent' ? 'no' : 'not assessed';
  return Object.assign(
    {
      id: 'organomegaly',
      label: 'Organomegaly (hepatomegaly, splenomegaly)',
    },
    scored(range, [
      ...(hepatomegaly === 'not-assessed'
        ? [panelItemLabel('hepatomegaly')]
        : []),
      ...(splenomegaly === 'not-assessed'
        ? [panelItemLabel('splenomegaly')]
        : []),
    ]),
    open === 0 ? { value: present > 0 } : {},
    {
      rule: `none: ${points.none}, liver or spleen: ${points.one}, both: ${points.both} points`,
      note: `hepatomegaly ${words(hepatomegaly)}, splenomegaly ${words(splenomegaly)}`,
      evidence,
    },
  );
}

function cytopenias(panel: LabPanel): CriterionResult {
  const { lineages, pointsByLineageCount } = definition.cytopenias;
  const results = lineages.map((lineage) => {
    const value = optionalQuantity(
      panel,
      lineage.analyte,
      lineage.threshold.unit,
    );
    return {
      lineage,
      value,
      met: value !== undefined && meets(value, lineage.threshold),
    };
  });
  const count = results.filter((l) => l.met).length;
  const open = results.filter((l) => l.value === undefined);
  const pointsFor = (lineageCount: number) =>
    pointsByLineageCount[lineageCount] ?? 0;
  const range = { min: pointsFor(count), max: pointsFor(count + open.length) };
  return Object.assign(
    { id: 'cytopenias', label: 'Cytopenic lineages' },
    scored(
      range,
      open.map((l) => panelItemLabel(l.lineage.analyte)),
    ),
    {
      value: count,
      rule: `${count} of ${lineages.length} lineages: ${pointsFor(count)} points`,
      note: results
        .map((l) =>
          l.value === undefined
            ? `${l.lineage.analyte} not measured`
            : `${l.lineage.analyte} ${l.value} ${l.lineage.threshold.unit} ${describeThreshold(l.lineage.threshold)}: ${l.met ? 'yes' : 'no'}`,
        )
        .join('; '),
      evidence,
    },
  );
}

/** The table's row for `score`, or the band between two rows. */
export function hscoreProbability(score: number): HScoreProbability {
  const table = definition.probabilityTable;
  const first = table[0];
  const last = table[table.length - 1];
  if (!first || !last) throw new Error('HScore probability table is empty');
  if (score <= first.score) {
    return { label: first.label, kind: 'row', rows: [first] };
  }
  if (score >= last.score) {
    return { label: last.label, kind: 'row', rows: [last] };
  }
  const exact = table.find((row) => row.score === score);
  if (exact) return { label: exact.label, kind: 'row', rows: [exact] };
  const upperIndex = table.findIndex((row) => row.score > score);
  const lower = table[upperIndex - 1];
  const upper = table[upperIndex];
  if (!lower || !upper) throw new Error(`no HScore row around ${score}`);
  return {
    label: `${lower.label.replace(/%$/, '')}-${upper.label}`,
    kind: 'band',
    rows: [lower, upper],
  };
}

/**
 * HScore for reactive haemophagocytic syndrome (Fardet 2014). An item not
 * assessed (a finding not recorded, a value not measured) is never scored as
 * absent: it widens `range` and is named in `missing`.
 */
export function scoreHScore(input: LabPanelInput | LabPanel): HScoreResult {
  const panel = asLabPanel(input);
  const criteria: CriterionResult[] = [
    finding(
      panel,
      'knownImmunosuppression',
      'Known immunosuppression',
      definition.knownImmunosuppressionPoints,
    ),
    temperature(panel),
    organomegaly(panel),
    cytopenias(panel),
    banded(panel, 'ferritin', 'Ferritin', 'ferritin', definition.ferritin),
    banded(
      panel,
      'triglycerides',
      'Triglycerides',
      'triglycerides',
      definition.triglycerides,
    ),
    banded(
      panel,
      'fibrinogen',
      'Fibrinogen',
      'fibrinogen',
      definition.fibrinogen,
    ),
    banded(panel, 'ast', 'AST', 'ast', definition.ast),
    finding(
      panel,
      'hemophagocytosis',
      'Haemophagocytosis on bone-marrow aspirate',
      definition.hemophagocytosisPoints,
    ),
  ];
  const range = criteria.reduce<ScoreRange>(
    (sum, c) => ({
      min: sum.min + (c.pointsRange?.min ?? c.points ?? 0),
      max: sum.max + (c.pointsRange?.max ?? c.points ?? 0),
    }),
    { min: 0, max: 0 },
  );
  const score = range.min;
  const probability = hscoreProbability(score);
  const outcome = rangeOutcome(range, definition.cutoff);
  return {
    calculator: 'hscore',
    score,
    range,
    maximum: hscoreMaximum(),
    probability: probability.label,
    probabilityDetail: probability,
    cutoff: definition.cutoff.value,
    meetsCutoff: outcome === 'met',
    outcome,
    missing: criteria.flatMap((c) => c.missing ?? []),
    criteria,
    evidence,
  };
}

/** The highest possible score, computed from the protocol data. */
export function hscoreMaximum(): number {
  return (
    definition.knownImmunosuppressionPoints +
    highest(definition.temperature) +
    definition.organomegalyPoints.both +
    Math.max(...definition.cytopenias.pointsByLineageCount) +
    highest(definition.ferritin) +
    highest(definition.triglycerides) +
    highest(definition.fibrinogen) +
    highest(definition.ast) +
    definition.hemophagocytosisPoints
  );
}
