/**
 * Pure logic of the labs panel: panels into trend series in one canonical unit
 * per analyte, the protocol's thresholds as lines, and the calculators'
 * results for the latest panel. Every clinical number comes from
 * `@mas/protocol`; this file holds none.
 */
import {
  type AnalyteId,
  analyteIds,
  type Band,
  type BandedVariable,
  ClinicalInputError,
  clinicalUnits,
  type Comparator,
  convertQuantity,
  type CriterionResult,
  type ExcludedItem,
  formatAnalyteValue,
  formatMeasured,
  type LabPanel,
  type LabPanelInput,
  type LabPicture,
  type LineageCriterion,
  masProtocolDefinition,
  type PanelItemId,
  panelItemLabel,
  type PanelScreen,
  parseLabPanel,
  type PictureProvenance,
  screenPanel,
  screenPicture,
  type Threshold,
  type ThresholdCriterion,
  unitLabel,
} from '@mas/protocol';

import { readableTimes } from './clinical-time.model.js';

/** A trend: a laboratory analyte, or the temperature recorded with a panel. */
export type SeriesId = AnalyteId | 'temperatureC';

/** The rule set a threshold line comes from. */
export type ThresholdSource = 'mas2016' | 'hlh2004' | 'hscore';

export interface ThresholdLine {
  /** Where the line is drawn, in the series' canonical unit. */
  readonly value: number;
  /** What it is, in full, e.g. "2016 criteria: Ferritin > 684 ng/mL". */
  readonly label: string;
  /** A few characters for the chart, in the canonical unit: "2016 > 684". */
  readonly shortLabel: string;
  readonly source: ThresholdSource;
  /** The cut-off as the source publishes it (value and unit). */
  readonly published: Threshold;
  readonly evidence: readonly string[];
}

export interface LabPoint {
  /** The panel's time, as recorded (ISO 8601). */
  readonly at: string;
  /** Milliseconds since the epoch (the chart's x). */
  readonly time: number;
  /** In the series' canonical unit. */
  readonly value: number;
  /** The value and unit the panel recorded. */
  readonly recorded: { readonly value: number; readonly unit: string };
}

export interface LabSeries {
  readonly analyte: SeriesId;
  readonly label: string;
  /** Canonical UCUM unit of the series (see `displayUnit`). */
  readonly unit: string;
  readonly points: readonly LabPoint[];
  readonly thresholds: readonly ThresholdLine[];
}

export interface PanelAt {
  readonly at: string;
  readonly panel: LabPanelInput;
}

export interface ReadPanel {
  readonly at: string;
  readonly time: number;
  readonly panel: LabPanel;
}

export interface RejectedPanel {
  readonly at: string;
  /** Why the protocol library refused it (field and rule). */
  readonly reason: string;
}

const definition = masProtocolDefinition;
const { analytes } = definition;

export const SOURCE_NAMES: Readonly<Record<ThresholdSource, string>> = {
  mas2016: '2016 criteria',
  hlh2004: 'HLH-2004',
  hscore: 'HScore',
};

const SHORT_SOURCE_NAMES: Readonly<Record<ThresholdSource, string>> = {
  mas2016: '2016',
  hlh2004: 'HLH',
  hscore: 'HS',
};

/** The analytes the MAS criteria lean on first; the rest follow. */
const LEADING: readonly SeriesId[] = [
  'ferritin',
  'platelets',
  'fibrinogen',
  'ast',
  'sCD25',
];
const SERIES_ORDER: readonly SeriesId[] = [
  ...LEADING,
  ...analyteIds.filter((id) => !LEADING.includes(id)),
  'temperatureC',
];

const TEMPERATURE_UNIT = 'Cel';
const TEMPERATURE_LABEL = 'Temperature';
// ---------------------------------------------------------------- display

/** A UCUM code as people read it: `10*9/L` -> `×10⁹/L`, `Cel` -> `°C`. */
export function displayUnit(ucum: string): string {
  return unitLabel(ucum);
}

export function displayOp(op: Comparator): string {
  switch (op) {
    case '>':
      return '>';
    case '>=':
      return '≥';
    case '<':
      return '<';
    case '<=':
      return '≤';
  }
}

/**
 * Free text of the protocol library (rules, notes, reasons) as clinicians
 * read it: units written out, ≥ and ≤, arrows, and percentages rounded to
 * a whole number (a change of -5.454545455% reads -5%).
 */
export function prettify(text: string): string {
  return readableTimes(
    clinicalUnits(
      text
        // Analyte ids written in the text (dDimer, hemoglobin) in words.
        .replace(ANALYTE_ID_IN_TEXT, (id) =>
          (analyteIds as readonly string[]).includes(id)
            ? panelItemLabel(id as PanelItemId)
            : id,
        )
        .replace(/>=/g, '≥')
        .replace(/<=/g, '≤')
        .replace(/ -> /g, ' → ')
        .replace(/([+-]?\d+\.\d+)%/g, (_match, value: string) => {
          const rounded = Math.round(Number(value));
          return `${value.startsWith('+') && rounded > 0 ? '+' : ''}${String(rounded)}%`;
        }),
    ),
  );
}

/** A word that may be an analyte's id (checked against the protocol's). */
const ANALYTE_ID_IN_TEXT = /(?<![.\w])[a-z][a-zA-Z0-9]*(?![.\w])/g;

/**
 * A number for display: converted values lose floating-point length, never
 * integer digits (the protocol library's `formatMeasured`: 12,023 ng/mL is
 * never 12,020).
 */
export function formatNumber(value: number): string {
  return formatMeasured(value);
}

/** `value unit`, with the unit made readable (no unit for `1`). */
export function formatQuantity(value: number, unit: string): string {
  const shown = displayUnit(unit);
  return shown === '' ? formatNumber(value) : `${formatNumber(value)} ${shown}`;
}

const sampleClock = new Intl.DateTimeFormat('en-CA', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/**
 * A sample's time in the browser's local time, to the minute, with its zone
 * (`2026-03-01 09:30 CET`; in UTC, `2026-03-01 08:30 UTC`): the same clock
 * as the rest of the page.
 */
export function formatSampleTime(time: number): string {
  const parts = Object.fromEntries(
    sampleClock
      .formatToParts(new Date(time))
      .map((part) => [part.type, part.value]),
  );
  return `${parts['year'] ?? ''}-${parts['month'] ?? ''}-${parts['day'] ?? ''} ${parts['hour'] ?? ''}:${parts['minute'] ?? ''} ${parts['timeZoneName'] ?? ''}`;
}

function formatThreshold(threshold: Threshold): string {
  return `${displayOp(threshold.op)} ${formatQuantity(threshold.value, threshold.unit)}`;
}

// ---------------------------------------------------------------- panels

function errorMessage(error: unknown): string {
  if (error instanceof ClinicalInputError) return error.message;
  throw error;
}

/**
 * Validates every panel with the protocol library. Readable panels come back
 * sorted by time (oldest first); the others with the library's reason.
 */
export function readPanels(panels: readonly PanelAt[]): {
  readonly read: readonly ReadPanel[];
  readonly rejected: readonly RejectedPanel[];
} {
  const read: ReadPanel[] = [];
  const rejected: RejectedPanel[] = [];
  for (const { at, panel } of panels) {
    const time = Date.parse(at);
    if (Number.isNaN(time)) {
      rejected.push({ at, reason: `at: "${at}" is not a valid time` });
      continue;
    }
    try {
      read.push({ at, time, panel: parseLabPanel(panel) });
    } catch (error) {
      rejected.push({ at, reason: errorMessage(error) });
    }
  }
  read.sort((a, b) => a.time - b.time);
  return { read, rejected };
}

// ---------------------------------------------------------------- thresholds

function canonicalUnit(series: SeriesId): string {
  return series === 'temperatureC'
    ? TEMPERATURE_UNIT
    : analytes[series].canonicalUnit;
}

function seriesLabel(series: SeriesId): string {
  return series === 'temperatureC' ? TEMPERATURE_LABEL : analytes[series].label;
}

function toCanonical(series: SeriesId, value: number, unit: string): number {
  if (series === 'temperatureC') return value;
  return convertQuantity(
    { value, unit },
    analytes[series].canonicalUnit,
    series,
    analytes[series].molarMassGPerMol,
  );
}

/** " (= 3.6 g/L)" when the published unit is not the canonical one. */
function inCanonical(series: SeriesId, threshold: Threshold): string {
  const unit = canonicalUnit(series);
  if (threshold.unit === unit) return '';
  const value = toCanonical(series, threshold.value, threshold.unit);
  return ` (= ${formatQuantity(value, unit)})`;
}

/** A threshold line with the series it is drawn on. */
export type SeriesLine = ThresholdLine & { readonly analyte: SeriesId };

function line(
  series: SeriesId,
  source: ThresholdSource,
  threshold: Threshold,
  text: string,
  evidence: readonly string[],
): SeriesLine {
  const value = toCanonical(series, threshold.value, threshold.unit);
  return {
    analyte: series,
    value,
    label: `${SOURCE_NAMES[source]}: ${text}`,
    shortLabel: `${SHORT_SOURCE_NAMES[source]} ${displayOp(threshold.op)} ${formatNumber(value)}`,
    source,
    published: threshold,
    evidence,
  };
}

/** A criterion published in one or more units: one line, every form named. */
function criterionLine(
  source: ThresholdSource,
  criterion: ThresholdCriterion,
  evidence: readonly string[],
): SeriesLine | undefined {
  const [first] = criterion.anyOf;
  if (!first) return undefined;
  const forms = criterion.anyOf.map(formatThreshold).join(' or ');
  return line(
    criterion.analyte,
    source,
    first,
    `${seriesLabel(criterion.analyte)} ${forms}${inCanonical(criterion.analyte, first)}`,
    evidence,
  );
}

function lineageLine(
  source: ThresholdSource,
  lineage: LineageCriterion,
  threshold: Threshold,
  qualifier: string,
  evidence: readonly string[],
): SeriesLine {
  return line(
    lineage.analyte,
    source,
    threshold,
    `${seriesLabel(lineage.analyte)} ${formatThreshold(threshold)}${inCanonical(lineage.analyte, threshold)}${qualifier}`,
    evidence,
  );
}

/** The edge a band is entered by, as a threshold (the lower edge if any). */
function bandEdge(band: Band, unit: string): Threshold | undefined {
  if (band.min) {
    return {
      op: band.min.inclusive ? '>=' : '>',
      value: band.min.value,
      unit,
    };
  }
  if (band.max) {
    return {
      op: band.max.inclusive ? '<=' : '<',
      value: band.max.value,
      unit,
    };
  }
  return undefined;
}

function describeBand(band: Band, unit: string): string {
  const parts: string[] = [];
  if (band.min) {
    parts.push(
      `${band.min.inclusive ? '≥' : '>'} ${formatNumber(band.min.value)}`,
    );
  }
  if (band.max) {
    parts.push(
      `${band.max.inclusive ? '≤' : '<'} ${formatNumber(band.max.value)}`,
    );
  }
  const shown = displayUnit(unit);
  return `${parts.join(' and ')}${shown === '' ? '' : ` ${shown}`}`;
}

/** One line per scoring band of an HScore variable (where points start). */
function bandLines(
  series: SeriesId,
  variable: BandedVariable,
  evidence: readonly string[],
): SeriesLine[] {
  return variable.bands.flatMap((band) => {
    const edge = band.points > 0 ? bandEdge(band, variable.unit) : undefined;
    if (!edge) return [];
    return [
      line(
        series,
        'hscore',
        edge,
        `${seriesLabel(series)} ${describeBand(band, variable.unit)}${inCanonical(series, edge)} scores ${band.points} points`,
        evidence,
      ),
    ];
  });
}

/** Whether any panel is of a patient younger than `ageDays`. */
function anyYoungerThan(
  panels: readonly ReadPanel[],
  ageDays: number,
): boolean {
  return panels.some(
    ({ panel }) => panel.ageDays !== undefined && panel.ageDays < ageDays,
  );
}

/**
 * Every threshold of the 2016 criteria, HLH-2004 and the HScore, as lines in
 * each series' canonical unit. HLH-2004's neonatal haemoglobin limit is drawn
 * only when a panel is of a patient young enough for it.
 */
export function thresholdLines(
  panels: readonly ReadPanel[] = [],
): readonly SeriesLine[] {
  const { mas2016, hlh2004, hscore } = definition;
  const lines: (SeriesLine | undefined)[] = [
    ...[mas2016.required, ...mas2016.additional].map((criterion) =>
      criterionLine('mas2016', criterion, mas2016.evidence),
    ),
    line(
      'temperatureC',
      'hlh2004',
      hlh2004.feverConvention.threshold,
      `fever, temperature ${formatThreshold(hlh2004.feverConvention.threshold)} (a later convention)`,
      [...hlh2004.evidence, ...hlh2004.feverConvention.evidence],
    ),
    ...hlh2004.cytopenias.lineages.flatMap((lineage: LineageCriterion) => [
      lineageLine(
        'hlh2004',
        lineage,
        lineage.threshold,
        ' (a cytopenic lineage)',
        hlh2004.evidence,
      ),
      ...(lineage.belowAge && anyYoungerThan(panels, lineage.belowAge.ageDays)
        ? [
            lineageLine(
              'hlh2004',
              lineage,
              lineage.belowAge.threshold,
              ` (a cytopenic lineage under ${lineage.belowAge.ageDays} days of age)`,
              hlh2004.evidence,
            ),
          ]
        : []),
    ]),
    criterionLine('hlh2004', hlh2004.triglycerides, hlh2004.evidence),
    criterionLine('hlh2004', hlh2004.fibrinogen, hlh2004.evidence),
    criterionLine('hlh2004', hlh2004.ferritin, hlh2004.evidence),
    criterionLine('hlh2004', hlh2004.sCD25, hlh2004.evidence),
    ...bandLines('temperatureC', hscore.temperature, hscore.evidence),
    ...hscore.cytopenias.lineages.map((lineage) =>
      lineageLine(
        'hscore',
        lineage,
        lineage.threshold,
        ' (a cytopenic lineage)',
        hscore.evidence,
      ),
    ),
    ...bandLines('ferritin', hscore.ferritin, hscore.evidence),
    ...bandLines('triglycerides', hscore.triglycerides, hscore.evidence),
    ...bandLines('fibrinogen', hscore.fibrinogen, hscore.evidence),
    ...bandLines('ast', hscore.ast, hscore.evidence),
  ];
  return lines.flatMap((l) => (l ? [l] : []));
}

// ---------------------------------------------------------------- series

function pointOf(read: ReadPanel, series: SeriesId): LabPoint | undefined {
  if (series === 'temperatureC') {
    const value = read.panel.temperatureC;
    if (value === undefined) return undefined;
    return {
      at: read.at,
      time: read.time,
      value,
      recorded: { value, unit: TEMPERATURE_UNIT },
    };
  }
  const quantity = read.panel.quantities[series];
  if (quantity === undefined) return undefined;
  return {
    at: read.at,
    time: read.time,
    value: toCanonical(series, quantity.value, quantity.unit),
    recorded: { value: quantity.value, unit: quantity.unit },
  };
}

/**
 * One series per analyte with at least one value, in the analyte's canonical
 * unit (converted by the protocol library), with the protocol's thresholds.
 * Panels the library refuses are left out (see `readPanels`).
 */
export function labSeries(panels: readonly PanelAt[]): readonly LabSeries[] {
  const { read } = readPanels(panels);
  const lines = thresholdLines(read);
  return SERIES_ORDER.flatMap((analyte) => {
    const points = read.flatMap((r) => {
      const point = pointOf(r, analyte);
      return point ? [point] : [];
    });
    if (points.length === 0) return [];
    return [
      {
        analyte,
        label: seriesLabel(analyte),
        unit: canonicalUnit(analyte),
        points,
        thresholds: lines
          .filter((l) => l.analyte === analyte)
          .map(({ analyte: _analyte, ...rest }) => rest),
      },
    ];
  });
}

// ---------------------------------------------------------------- calculators

export type LatestScreen =
  | { readonly kind: 'none' }
  | { readonly kind: 'rejected'; readonly at: string; readonly reason: string }
  | {
      readonly kind: 'screened';
      readonly at: string;
      readonly time: number;
      readonly screen: PanelScreen;
    }
  | {
      /** The episode's lab picture: each item's latest value, from its own sample. */
      readonly kind: 'picture';
      readonly at: string;
      readonly time: number;
      readonly screen: PanelScreen;
      readonly items: readonly PictureItem[];
      readonly excluded: readonly ExcludedItem[];
      readonly windowHours: number;
    };

/** One item of a lab picture the calculators used, and its sample time. */
export interface PictureItem {
  readonly item: PanelItemId;
  readonly label: string;
  readonly value: string;
  readonly collectedAt: string;
}

/**
 * The calculators on the latest panel. A latest panel the library refuses is
 * reported as such: an older panel is never shown in its place.
 */
export function screenLatest(
  panels: readonly PanelAt[],
  tocilizumabGiven: boolean,
  underlyingDisease?: string,
): LatestScreen {
  const { read, rejected } = readPanels(panels);
  const latest = read[read.length - 1];
  const latestRejected = rejected
    .filter((r) => !Number.isNaN(Date.parse(r.at)))
    .reduce<RejectedPanel | undefined>(
      (best, r) =>
        best === undefined || Date.parse(r.at) >= Date.parse(best.at)
          ? r
          : best,
      undefined,
    );
  if (
    latestRejected &&
    (latest === undefined || Date.parse(latestRejected.at) >= latest.time)
  ) {
    return { kind: 'rejected', ...latestRejected };
  }
  if (latest === undefined) return { kind: 'none' };
  return {
    kind: 'screened',
    at: latest.at,
    time: latest.time,
    screen: screenPanel(latest.panel, {
      onTocilizumab: tocilizumabGiven,
      ...(underlyingDisease === undefined ? {} : { underlyingDisease }),
    }),
  };
}

function pictureValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'present' : 'absent';
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (
    typeof value === 'object' &&
    value !== null &&
    'value' in value &&
    'unit' in value &&
    typeof value.value === 'number' &&
    typeof value.unit === 'string'
  ) {
    return formatQuantity(value.value, value.unit);
  }
  return String(value);
}

/** An analyte in its own unit at its precision (12,023 ng/mL, 1.52 g/L). */
function pictureItemValue(item: PanelItemId, value: unknown): string {
  if (
    (analyteIds as readonly string[]).includes(item) &&
    typeof value === 'object' &&
    value !== null &&
    'value' in value &&
    'unit' in value &&
    typeof value.value === 'number' &&
    value.unit === analytes[item as AnalyteId].canonicalUnit
  ) {
    const shown = unitLabel(value.unit);
    const number = formatAnalyteValue(item as AnalyteId, value.value);
    return shown === '' ? number : `${number} ${shown}`;
  }
  return pictureValue(value);
}

function pictureItems(
  panel: LabPanelInput,
  provenance: PictureProvenance,
): PictureItem[] {
  return (Object.keys(provenance) as PanelItemId[]).flatMap((item) => {
    const source = provenance[item];
    if (!source) return [];
    return [
      {
        item,
        label: panelItemLabel(item),
        value: pictureItemValue(item, (panel as Record<string, unknown>)[item]),
        collectedAt: source.collectedAt,
      },
    ];
  });
}

/**
 * The calculators on the episode's lab picture at `at` (the protocol
 * library's `screenPicture`): a small panel keeps the earlier values of the
 * items it does not carry; an item too old for the window is not assessed.
 */
export function screenEpisodePicture(
  picture: LabPicture,
  at: string,
  tocilizumabGiven: boolean,
  underlyingDisease?: string,
): LatestScreen {
  try {
    const result = screenPicture(picture, at, {
      onTocilizumab: tocilizumabGiven,
      ...(underlyingDisease === undefined ? {} : { underlyingDisease }),
    });
    return {
      kind: 'picture',
      at,
      time: Date.parse(at),
      screen: result.screen,
      items: pictureItems(result.panel, result.provenance),
      excluded: result.excluded,
      windowHours: result.windowHours,
    };
  } catch (error) {
    return { kind: 'rejected', at, reason: errorMessage(error) };
  }
}

export type CalculatorId =
  'mas2016' | 'hscore' | 'hlh2004' | 'msscore' | 'ferritin-esr';

export const CALCULATOR_TITLES: Readonly<Record<CalculatorId, string>> = {
  mas2016: '2016 EULAR/ACR/PRINTO MAS classification criteria',
  hscore: 'HScore (reactive haemophagocytic syndrome)',
  hlh2004: 'HLH-2004 diagnostic criteria',
  msscore: 'MS score (MAS vs active sJIA)',
  'ferritin-esr': 'Ferritin/ESR ratio',
};

export interface CalculatorView {
  readonly id: CalculatorId;
  readonly title: string;
  /** False when the panel lacks an input: `notComputedReason` says which. */
  readonly computed: boolean;
  readonly notComputedReason?: string;
  /**
   * Met, not met, or cannot be decided yet (items not assessed could still
   * turn it); absent for a ratio with no verdict of its own.
   */
  readonly outcome?: 'met' | 'not-met' | 'undecided';
  /** Items not assessed that could still change the result (labels). */
  readonly missing: readonly string[];
  /** The headline result, e.g. "Classified as MAS". */
  readonly result?: string;
  /** Further lines explaining the result (counts, cut-offs, warnings). */
  readonly details: readonly string[];
  readonly criteria: readonly CriterionResult[];
  readonly evidence: readonly string[];
}

function notComputed(
  id: CalculatorId,
  screen: PanelScreen,
  evidence: readonly string[],
): CalculatorView {
  return {
    id,
    title: CALCULATOR_TITLES[id],
    computed: false,
    notComputedReason: prettify(
      screen.notComputed[id] ?? 'the protocol library returned no result',
    ),
    missing: [],
    details: [],
    criteria: [],
    evidence,
  };
}

/** "Not assessed: Fever, Ferritin." (empty when nothing is missing). */
function notAssessedLine(missing: readonly string[]): string[] {
  return missing.length > 0 ? [`Not assessed: ${missing.join(', ')}.`] : [];
}

function criterionStatusWords(criterion: CriterionResult | undefined): string {
  return criterion ? statusText(criterion.status) : 'not assessed';
}

function mas2016View(screen: PanelScreen): CalculatorView {
  const result = screen.mas2016;
  const { mas2016 } = definition;
  if (!result) return notComputed('mas2016', screen, mas2016.evidence);
  const [required] = result.criteria;
  const headline =
    result.outcome === 'met'
      ? 'Classified as MAS'
      : result.applicability === 'not-applicable'
        ? result.laboratoryCriteriaMet
          ? 'Not applicable (the laboratory criteria are met)'
          : 'Not applicable'
        : result.outcome === 'undecided'
          ? result.laboratoryCriteriaMet
            ? 'Cannot be decided yet (the laboratory criteria are met)'
            : 'Cannot be decided yet'
          : 'Not classified as MAS';
  const open =
    result.additionalCriteriaOpen > 0
      ? `, ${result.additionalCriteriaOpen} not assessed`
      : '';
  return {
    id: 'mas2016',
    title: CALCULATOR_TITLES.mas2016,
    computed: true,
    outcome: result.outcome,
    missing: result.missing,
    result: headline,
    details: [
      `Required: ${required?.label ?? 'ferritin'}: ${criterionStatusWords(required)}.`,
      `${result.additionalCriteriaMet} of ${mas2016.additional.length} other criteria met${open} (at least ${mas2016.minimumAdditionalMet} needed).`,
      ...notAssessedLine(result.missing),
      ...result.notApplicableReasons.map((r) => `Does not apply: ${r}.`),
      ...result.warnings,
    ].map(prettify),
    criteria: result.criteria,
    evidence: result.evidence,
  };
}

function hscoreView(screen: PanelScreen): CalculatorView {
  const result = screen.hscore;
  const { hscore } = definition;
  if (!result) return notComputed('hscore', screen, hscore.evidence);
  const cutoff = `${displayOp(hscore.cutoff.op)} ${result.cutoff}`;
  const reachable =
    result.range.min === result.range.max
      ? null
      : `${result.range.min}–${result.range.max} of ${result.maximum} points reachable`;
  const headline =
    result.outcome === 'undecided'
      ? `Cannot be decided yet: ${reachable ?? `${result.score} of ${result.maximum} points`} (cut-off ${cutoff})`
      : `${result.score} of ${result.maximum} points: probability ${result.probability}`;
  return {
    id: 'hscore',
    title: CALCULATOR_TITLES.hscore,
    computed: true,
    outcome: result.outcome,
    missing: result.missing,
    result: headline,
    details: [
      result.outcome === 'undecided'
        ? `Cut-off ${cutoff}: cannot be decided until the items not assessed are.`
        : `Cut-off ${cutoff}: ${result.outcome === 'met' ? 'met' : 'not met'}${reachable ? ` (${reachable}: decided whatever the items not assessed show)` : ''}.`,
      ...(result.outcome === 'undecided'
        ? [
            `${result.score} points on what is assessed (each item not assessed counted at 0); the probability is given once the score is decided.`,
          ]
        : []),
      ...notAssessedLine(result.missing),
      ...(result.outcome === 'undecided'
        ? []
        : [
            result.probabilityDetail.kind === 'band'
              ? `The probability is the band between two rows of the published table (${result.probabilityDetail.rows.map((r) => `${r.score}: ${r.label}`).join(', ')}); it is not interpolated.`
              : 'The probability is a row of the published table.',
          ]),
    ],
    criteria: result.criteria,
    evidence: result.evidence,
  };
}

function hlh2004View(screen: PanelScreen): CalculatorView {
  const result = screen.hlh2004;
  const { hlh2004 } = definition;
  if (!result) return notComputed('hlh2004', screen, hlh2004.evidence);
  const verdict =
    result.outcome === 'met'
      ? 'diagnostic criteria fulfilled'
      : result.outcome === 'undecided'
        ? 'cannot be decided yet'
        : 'diagnostic criteria not fulfilled';
  const open =
    result.criteriaOpen > 0 ? `, ${result.criteriaOpen} not assessed` : '';
  return {
    id: 'hlh2004',
    title: CALCULATOR_TITLES.hlh2004,
    computed: true,
    outcome: result.outcome,
    missing: result.missing,
    result: `${result.criteriaMet} of ${result.criteriaTotal} criteria met${open}: ${verdict}`,
    details: [
      `At least ${result.criteriaForDiagnosis} of ${result.criteriaTotal} criteria, or a molecular diagnosis, are needed.`,
      `Molecular HLH diagnosis: ${result.molecularDiagnosis ? 'yes' : 'not recorded as present'}.`,
      ...notAssessedLine(result.missing),
    ],
    criteria: result.criteria,
    evidence: result.evidence,
  };
}

function msScoreView(screen: PanelScreen): CalculatorView {
  const result = screen.msScore;
  const { msScore } = definition;
  if (!result) return notComputed('msscore', screen, msScore.evidence);
  const cutoff = `${displayOp(msScore.cutoff.op)} ${result.cutoff}`;
  return {
    id: 'msscore',
    title: CALCULATOR_TITLES.msscore,
    computed: true,
    outcome: result.outcome,
    missing: result.missing,
    result:
      result.outcome === 'undecided'
        ? `Cannot be decided yet: score ${result.range.min} to ${result.range.max} reachable (cut-off ${cutoff})`
        : `Score ${result.score}: ${result.considerMas ? 'consider MAS' : 'does not point to MAS'}`,
    details: [
      `Cut-off ${cutoff}; it points to MAS in the screen only when sJIA is known or suspected.`,
      ...notAssessedLine(result.missing),
      ...result.otherCohortCutoffs.map(
        (c) => `Other cohort: ${c.cohort}, cut-off ${c.value} (information).`,
      ),
    ],
    criteria: result.criteria,
    evidence: result.evidence,
  };
}

function ferritinEsrView(screen: PanelScreen): CalculatorView {
  const result = screen.ferritinEsr;
  const { ferritinEsr } = definition;
  if (!result) return notComputed('ferritin-esr', screen, ferritinEsr.evidence);
  return {
    id: 'ferritin-esr',
    title: CALCULATOR_TITLES['ferritin-esr'],
    computed: true,
    missing: [],
    result: `Ratio ${result.ratio}: ${result.suggestsMas ? 'favours MAS' : 'does not favour MAS'}`,
    details: [
      `Cut-off ${displayOp(ferritinEsr.cutoff.op)} ${result.cutoff}; it points to MAS in the screen only when sJIA is known or suspected.`,
      ...result.otherCohortCutoffs.map(
        (c) => `Other cohort: ${c.cohort}, cut-off ${c.value} (information).`,
      ),
    ],
    criteria: result.criteria,
    evidence: result.evidence,
  };
}

/** Each calculator's result, explained, or why it was not computed. */
export function calculatorViews(
  screen: PanelScreen,
): readonly CalculatorView[] {
  return [
    mas2016View(screen),
    hscoreView(screen),
    hlh2004View(screen),
    msScoreView(screen),
    ferritinEsrView(screen),
  ];
}

export type CriterionStatus = CriterionResult['status'];

export function statusText(status: CriterionStatus): string {
  switch (status) {
    case 'met':
      return 'met';
    case 'not-met':
      return 'not met';
    case 'explained-otherwise':
      return 'explained otherwise';
    case 'not-assessed':
      return 'not assessed';
  }
}

/** Points of a criterion: "12", or "0–49" while an item is not assessed. */
export function criterionPoints(criterion: CriterionResult): string {
  const range = criterion.pointsRange;
  if (range && range.min !== range.max) return `${range.min}–${range.max}`;
  return criterion.points === undefined ? '—' : String(criterion.points);
}

/** The value a criterion was applied to, in its unit ("—" when none). */
export function criterionValue(criterion: CriterionResult): string {
  const { value, unit } = criterion;
  if (value === undefined) {
    return criterion.status === 'not-assessed' ? 'not assessed' : '—';
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return unit === undefined ? formatNumber(value) : formatQuantity(value, unit);
}
