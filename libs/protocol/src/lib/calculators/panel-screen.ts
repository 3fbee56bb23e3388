import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import { asLabPanel, type LabPanel } from '../panel/lab-panel.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import {
  type FerritinEsrResult,
  scoreFerritinEsr,
} from './ferritin-esr.calculator.js';
import { type Hlh2004Result, scoreHlh2004 } from './hlh2004.calculator.js';
import { type HScoreResult, scoreHScore } from './hscore.calculator.js';
import { type Mas2016Result, scoreMas2016 } from './mas2016.calculator.js';
import { type MsScoreResult, scoreMsScore } from './ms-score.calculator.js';

export interface PanelScreen {
  /**
   * A decided result points to MAS: the pitfall "MAS not considered"
   * applies. A verdict that cannot be decided yet never makes it true; the
   * 2016 laboratory criteria decided met do, even when the classification
   * is not applicable or cannot be decided yet (fever or sJIA not recorded).
   */
  readonly suggestive: boolean;
  /** A classification or diagnostic rule is met, decided (2016, HScore, HLH-2004). */
  readonly criteriaMet: boolean;
  /**
   * Why, in words: each result pointing to MAS, then each verdict that
   * "cannot be decided yet", with what is missing.
   */
  readonly reasons: readonly string[];
  /** Calculators whose verdict cannot be decided yet, with the missing items. */
  readonly undecided: Readonly<Record<string, readonly string[]>>;
  readonly mas2016?: Mas2016Result;
  readonly hscore?: HScoreResult;
  readonly hlh2004?: Hlh2004Result;
  readonly msScore?: MsScoreResult;
  readonly ferritinEsr?: FerritinEsrResult;
  /** Calculators the panel could not feed, with the missing field. */
  readonly notComputed: Readonly<Record<string, string>>;
  readonly evidence: readonly string[];
}

export interface ScreenOptions {
  /**
   * The episode knows the patient is on tocilizumab: the panel is read as
   * on tocilizumab whatever it records. False or absent leaves the panel's
   * own record.
   */
  readonly onTocilizumab?: boolean;
  /**
   * The underlying disease the episode records at admission. When it is a
   * Still's disease (sJIA or its adult form, protocol data), a panel that
   * leaves "known or suspected sJIA" not assessed reads it as known: the
   * recorder should not have to repeat on every panel what the admission
   * says. A panel recording it absent keeps its own record.
   */
  readonly underlyingDisease?: string;
}

function attempt<T>(
  name: string,
  fn: () => T,
  notComputed: Record<string, string>,
): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ClinicalInputError) {
      notComputed[name] = error.message;
      return undefined;
    }
    throw error;
  }
}

function onTocilizumab(panel: LabPanel): LabPanel {
  return {
    ...panel,
    findings: { ...panel.findings, onTocilizumab: true },
    findingStatus: { ...panel.findingStatus, onTocilizumab: 'present' },
  };
}

/** The admission's Still's disease, where the panel leaves sJIA open. */
function withKnownStills(
  panel: LabPanel,
  disease: string | undefined,
): LabPanel {
  const stills = masProtocolDefinition.stillsDiseases as readonly string[];
  if (
    disease === undefined ||
    !stills.includes(disease) ||
    panel.findingStatus.sjiaKnownOrSuspected !== 'not-assessed'
  ) {
    return panel;
  }
  return {
    ...panel,
    findings: { ...panel.findings, sjiaKnownOrSuspected: true },
    findingStatus: { ...panel.findingStatus, sjiaKnownOrSuspected: 'present' },
  };
}

const missingText = (missing: readonly string[]) =>
  missing.length > 0 ? `: missing ${missing.join(', ')}` : '';

/**
 * The 2016 lines: classified; laboratory criteria met though not
 * applicable, or met while the classification cannot be decided yet (both
 * point to MAS, as before findings were three-valued); cannot be decided.
 */
function mas2016Reasons(
  result: Mas2016Result,
  suggest: (reason: string) => void,
  undecided: (reason: string) => void,
): void {
  if (result.outcome === 'met') {
    suggest('2016 EULAR/ACR/PRINTO criteria met');
    return;
  }
  if (
    result.laboratoryCriteriaMet &&
    result.applicability === 'not-applicable'
  ) {
    suggest(
      `2016 laboratory criteria met, though not applicable (${result.notApplicableReasons.join('; ')})`,
    );
    return;
  }
  if (result.outcome !== 'undecided') return;
  if (result.laboratoryCriteriaMet) {
    suggest(
      `2016 laboratory criteria met; the classification cannot be decided yet${missingText(result.missing)}`,
    );
    return;
  }
  undecided(
    `2016 EULAR/ACR/PRINTO criteria cannot be decided yet${missingText(result.missing)}`,
  );
}

/**
 * Runs every calculator a panel can feed. An item not assessed is never
 * scored as absent: a verdict it could still turn is "cannot be decided
 * yet", named with what is missing, and never makes the screen suggestive.
 * A calculator that cannot run at all (ferritin/ESR without both values) is
 * reported as not computed, not an error. An invalid panel (bad unit,
 * implausible value) is still an error.
 */
export function screenPanel(
  input: LabPanelInput | LabPanel,
  options: ScreenOptions = {},
): PanelScreen {
  const parsed = asLabPanel(input);
  const panel = withKnownStills(
    options.onTocilizumab === true ? onTocilizumab(parsed) : parsed,
    options.underlyingDisease,
  );
  const sjia = panel.findingStatus.sjiaKnownOrSuspected === 'present';
  const notComputed: Record<string, string> = {};
  const mas2016 = attempt('mas2016', () => scoreMas2016(panel), notComputed);
  const hscore = attempt('hscore', () => scoreHScore(panel), notComputed);
  const hlh2004 = attempt('hlh2004', () => scoreHlh2004(panel), notComputed);
  const msScore = attempt('msscore', () => scoreMsScore(panel), notComputed);
  const ferritinEsr = attempt(
    'ferritin-esr',
    () => scoreFerritinEsr(panel),
    notComputed,
  );

  const suggesting: string[] = [];
  const pending: string[] = [];
  const undecided: Record<string, readonly string[]> = {};
  const suggest = (reason: string) => suggesting.push(reason);
  const pend = (reason: string) => pending.push(reason);

  if (mas2016) {
    mas2016Reasons(mas2016, suggest, pend);
    if (mas2016.outcome === 'undecided') undecided['mas2016'] = mas2016.missing;
  }
  if (hscore?.outcome === 'met') {
    suggest(`HScore ${hscore.score} (>= ${hscore.cutoff})`);
  }
  if (hscore?.outcome === 'undecided') {
    undecided['hscore'] = hscore.missing;
    pend(
      `HScore cannot be decided yet: ${hscore.range.min}-${hscore.range.max} against the cut-off ${hscore.cutoff}${missingText(hscore.missing)}`,
    );
  }
  if (hlh2004?.diagnosis) {
    suggest(`HLH-2004: ${hlh2004.criteriaMet} of 8 criteria`);
  }
  if (hlh2004?.outcome === 'undecided') {
    undecided['hlh2004'] = hlh2004.missing;
    pend(
      `HLH-2004 cannot be decided yet: ${hlh2004.criteriaMet} of ${hlh2004.criteriaTotal} criteria met, ${hlh2004.criteriaOpen} open${missingText(hlh2004.missing)}`,
    );
  }
  if (msScore?.outcome === 'undecided') undecided['msscore'] = msScore.missing;
  if (msScore && sjia) {
    const score =
      msScore.range.min === msScore.range.max
        ? `${msScore.score}`
        : `${msScore.range.min} to ${msScore.range.max}`;
    if (msScore.outcome === 'met') {
      suggest(`MS score ${score} (>= ${msScore.cutoff})`);
    }
    if (msScore.outcome === 'undecided') {
      // One measurement missing: the value that decides, not a range.
      pend(
        msScore.decidingValue === undefined
          ? `MS score cannot be decided yet: ${score} against the cut-off ${msScore.cutoff}${missingText(msScore.missing)}`
          : `MS score cannot be decided yet${missingText(msScore.missing)}: it meets the cut-off ${msScore.cutoff} with ${msScore.decidingValue}`,
      );
    }
  }
  if (ferritinEsr?.suggestsMas && sjia) {
    suggest(`ferritin/ESR ratio ${ferritinEsr.ratio}`);
  }
  const criteriaMet =
    mas2016?.outcome === 'met' ||
    hscore?.outcome === 'met' ||
    hlh2004?.diagnosis === true;
  return {
    suggestive: suggesting.length > 0,
    criteriaMet,
    reasons: [...suggesting, ...pending],
    undecided,
    ...(mas2016 ? { mas2016 } : {}),
    ...(hscore ? { hscore } : {}),
    ...(hlh2004 ? { hlh2004 } : {}),
    ...(msScore ? { msScore } : {}),
    ...(ferritinEsr ? { ferritinEsr } : {}),
    notComputed,
    evidence: ['seed.pitfalls.3', 'seed.pitfalls.1', 'review.section-10'],
  };
}
