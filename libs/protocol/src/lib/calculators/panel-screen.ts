import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import { type LabPanel, parseLabPanel } from '../panel/lab-panel.util.js';
import {
  type FerritinEsrResult,
  scoreFerritinEsr,
} from './ferritin-esr.calculator.js';
import { type Hlh2004Result, scoreHlh2004 } from './hlh2004.calculator.js';
import { type HScoreResult, scoreHScore } from './hscore.calculator.js';
import { type Mas2016Result, scoreMas2016 } from './mas2016.calculator.js';
import { type MsScoreResult, scoreMsScore } from './ms-score.calculator.js';

export interface PanelScreen {
  /** Any calculator points to MAS: the pitfall "MAS not considered" applies. */
  readonly suggestive: boolean;
  /** A classification or diagnostic rule is met (2016, HScore, HLH-2004). */
  readonly criteriaMet: boolean;
  readonly reasons: readonly string[];
  readonly mas2016?: Mas2016Result;
  readonly hscore?: HScoreResult;
  readonly hlh2004?: Hlh2004Result;
  readonly msScore?: MsScoreResult;
  readonly ferritinEsr?: FerritinEsrResult;
  /** Calculators the panel could not feed, with the missing field. */
  readonly notComputed: Readonly<Record<string, string>>;
  readonly evidence: readonly string[];
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

/**
 * Runs every calculator a panel can feed. A real panel is often partial: a
 * calculator that lacks a value is reported as not computed, not an error.
 * An invalid panel (bad unit, implausible value) is still an error.
 */
export function screenPanel(
  input: LabPanelInput | LabPanel,
  options: { readonly onTocilizumab?: boolean } = {},
): PanelScreen {
  const parsed = 'quantities' in input ? input : parseLabPanel(input);
  const panel: LabPanel =
    options.onTocilizumab === true
      ? { ...parsed, findings: { ...parsed.findings, onTocilizumab: true } }
      : parsed;
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

  const reasons: string[] = [];
  if (mas2016?.classified) reasons.push('2016 EULAR/ACR/PRINTO criteria met');
  if (mas2016 && !mas2016.applicable && mas2016.laboratoryCriteriaMet) {
    reasons.push(
      `2016 laboratory criteria met, though not applicable (${mas2016.notApplicableReasons.join('; ')})`,
    );
  }
  if (hscore?.meetsCutoff) {
    reasons.push(`HScore ${hscore.score} (>= ${hscore.cutoff})`);
  }
  if (hlh2004?.diagnosis) {
    reasons.push(`HLH-2004: ${hlh2004.criteriaMet} of 8 criteria`);
  }
  if (msScore?.considerMas && panel.findings.sjiaKnownOrSuspected) {
    reasons.push(`MS score ${msScore.score} (>= ${msScore.cutoff})`);
  }
  if (ferritinEsr?.suggestsMas && panel.findings.sjiaKnownOrSuspected) {
    reasons.push(`ferritin/ESR ratio ${ferritinEsr.ratio}`);
  }
  const criteriaMet = Boolean(
    mas2016?.classified || hscore?.meetsCutoff || hlh2004?.diagnosis,
  );
  return {
    suggestive: reasons.length > 0,
    criteriaMet,
    reasons,
    ...(mas2016 ? { mas2016 } : {}),
    ...(hscore ? { hscore } : {}),
    ...(hlh2004 ? { hlh2004 } : {}),
    ...(msScore ? { msScore } : {}),
    ...(ferritinEsr ? { ferritinEsr } : {}),
    notComputed,
    evidence: ['seed.pitfalls.3', 'seed.pitfalls.1', 'review.section-10'],
  };
}
