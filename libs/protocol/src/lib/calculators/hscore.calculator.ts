import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  requireQuantity,
} from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { AnalyteId, BandedVariable } from '../protocol/protocol.types.js';
import {
  type CriterionResult,
  describeBand,
  describeThreshold,
  findBand,
  meets,
} from './rule.util.js';

export interface HScoreProbability {
  /** The table's row, or the band between two rows, e.g. "54-70%". */
  readonly label: string;
  readonly kind: 'row' | 'band';
  readonly rows: readonly { readonly score: number; readonly label: string }[];
}

export interface HScoreResult {
  readonly calculator: 'hscore';
  readonly score: number;
  readonly maximum: number;
  /** Fardet's table row, or the band between two rows: never interpolated. */
  readonly probability: string;
  readonly probabilityDetail: HScoreProbability;
  readonly cutoff: number;
  readonly meetsCutoff: boolean;
  readonly criteria: readonly CriterionResult[];
  readonly evidence: readonly string[];
}

const definition = masProtocolDefinition.hscore;
const NAME = 'HScore';
const evidence = definition.evidence;

function banded(
  panel: LabPanel,
  id: string,
  label: string,
  analyte: AnalyteId,
  variable: BandedVariable,
): CriterionResult {
  const value = requireQuantity(panel, analyte, variable.unit, NAME);
  const band = findBand(value, variable);
  return {
    id,
    label,
    status: band.points > 0 ? 'met' : 'not-met',
    met: band.points > 0,
    value,
    unit: variable.unit,
    rule: describeBand(band, variable.unit),
    points: band.points,
    evidence,
  };
}

function finding(
  id: string,
  label: string,
  present: boolean,
  points: number,
): CriterionResult {
  return {
    id,
    label,
    status: present ? 'met' : 'not-met',
    met: present,
    value: present,
    rule: `present: ${points} points`,
    points: present ? points : 0,
    evidence,
  };
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

/** HScore for reactive haemophagocytic syndrome (Fardet 2014). */
export function scoreHScore(input: LabPanelInput | LabPanel): HScoreResult {
  const panel = asLabPanel(input);
  const { findings } = panel;

  if (panel.temperatureC === undefined) {
    throw new ClinicalInputError(
      'temperatureC',
      `is required by ${NAME} but the panel has none`,
    );
  }
  const temperatureBand = findBand(panel.temperatureC, definition.temperature);
  const temperature: CriterionResult = {
    id: 'temperature',
    label: 'Temperature (C)',
    status: temperatureBand.points > 0 ? 'met' : 'not-met',
    met: temperatureBand.points > 0,
    value: panel.temperatureC,
    unit: 'Cel',
    rule: describeBand(temperatureBand, 'Cel'),
    points: temperatureBand.points,
    evidence,
  };

  const both = findings.hepatomegaly && findings.splenomegaly;
  const either = findings.hepatomegaly || findings.splenomegaly;
  const organPoints = both
    ? definition.organomegalyPoints.both
    : either
      ? definition.organomegalyPoints.one
      : definition.organomegalyPoints.none;
  const organomegaly: CriterionResult = {
    id: 'organomegaly',
    label: 'Organomegaly (hepatomegaly, splenomegaly)',
    status: either ? 'met' : 'not-met',
    met: either,
    value: either,
    rule: `${both ? 'liver and spleen' : either ? 'liver or spleen' : 'none'}: ${organPoints} points`,
    points: organPoints,
    note: `hepatomegaly ${findings.hepatomegaly ? 'yes' : 'no'}, splenomegaly ${findings.splenomegaly ? 'yes' : 'no'}`,
    evidence,
  };

  const lineageResults = definition.cytopenias.lineages.map((lineage) => {
    const value = requireQuantity(
      panel,
      lineage.analyte,
      lineage.threshold.unit,
      NAME,
    );
    return { lineage, value, met: meets(value, lineage.threshold) };
  });
  const lineageCount = lineageResults.filter((l) => l.met).length;
  const cytopeniaPoints =
    definition.cytopenias.pointsByLineageCount[lineageCount] ?? 0;
  const cytopenias: CriterionResult = {
    id: 'cytopenias',
    label: 'Cytopenic lineages',
    status: cytopeniaPoints > 0 ? 'met' : 'not-met',
    met: cytopeniaPoints > 0,
    value: lineageCount,
    rule: `${lineageCount} of 3 lineages: ${cytopeniaPoints} points`,
    points: cytopeniaPoints,
    note: lineageResults
      .map(
        (l) =>
          `${l.lineage.analyte} ${l.value} ${l.lineage.threshold.unit} ${describeThreshold(l.lineage.threshold)}: ${l.met ? 'yes' : 'no'}`,
      )
      .join('; '),
    evidence,
  };

  const criteria: CriterionResult[] = [
    finding(
      'knownImmunosuppression',
      'Known immunosuppression',
      findings.knownImmunosuppression,
      definition.knownImmunosuppressionPoints,
    ),
    temperature,
    organomegaly,
    cytopenias,
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
      'hemophagocytosis',
      'Haemophagocytosis on bone-marrow aspirate',
      findings.hemophagocytosis,
      definition.hemophagocytosisPoints,
    ),
  ];
  const score = criteria.reduce((sum, c) => sum + (c.points ?? 0), 0);
  const probability = hscoreProbability(score);
  return {
    calculator: 'hscore',
    score,
    maximum: hscoreMaximum(),
    probability: probability.label,
    probabilityDetail: probability,
    cutoff: definition.cutoff.value,
    meetsCutoff: meets(score, definition.cutoff),
    criteria,
    evidence,
  };
}

/** The highest possible score, computed from the protocol data. */
export function hscoreMaximum(): number {
  const top = (variable: BandedVariable) =>
    Math.max(...variable.bands.map((b) => b.points));
  return (
    definition.knownImmunosuppressionPoints +
    top(definition.temperature) +
    definition.organomegalyPoints.both +
    Math.max(...definition.cytopenias.pointsByLineageCount) +
    top(definition.ferritin) +
    top(definition.triglycerides) +
    top(definition.fibrinogen) +
    top(definition.ast) +
    definition.hemophagocytosisPoints
  );
}
