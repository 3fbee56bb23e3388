import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  optionalQuantity,
} from '../panel/lab-panel.util.js';
import {
  type InstitutionProfile,
  type ProfileStamp,
  profileStamp,
  requireProfileValue,
} from '../profile/institution-profile.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { AnalyteId, ResponseGroup } from '../protocol/protocol.types.js';
import { stripFloatNoise } from '../units/quantity.util.js';

export type ParameterTrend = 'improving' | 'stable' | 'worsening';
export type ResponseVerdict = 'responding' | 'inadequate' | 'worsening';

export interface ParameterChange {
  readonly analyte: AnalyteId;
  readonly group: ResponseGroupId;
  readonly before: number;
  readonly after: number;
  readonly unit: string;
  readonly changePercent: number;
  readonly trend: ParameterTrend;
  readonly reason: string;
}

export interface ResponseResult {
  readonly verdict: ResponseVerdict;
  readonly reasons: readonly string[];
  readonly changes: readonly ParameterChange[];
  /** Groups of the rule that the panels could not assess. */
  readonly notAssessed: readonly string[];
  readonly evidence: readonly string[];
  readonly profile: ProfileStamp;
}

interface ChangeRule {
  readonly improvingChangePercent: number;
  readonly worseningChangePercent: number;
}

type ResponseGroupId = keyof typeof masProtocolDefinition.response.groups;

function percentChange(before: number, after: number): number {
  if (before === 0) return after === 0 ? 0 : Infinity;
  return stripFloatNoise(((after - before) / before) * 100);
}

/**
 * Response to therapy between two panels (the seed: ferritin falling,
 * cytopenias improving, coagulopathy resolving). The directions come from
 * the protocol; the magnitudes are institution-set (no published figure).
 */
export function assessResponse(
  baselineInput: LabPanelInput | LabPanel,
  currentInput: LabPanelInput | LabPanel,
  profile: InstitutionProfile,
): ResponseResult {
  let baseline: LabPanel;
  let current: LabPanel;
  try {
    baseline = asLabPanel(baselineInput);
  } catch (error) {
    throw error instanceof ClinicalInputError ? error.under('baseline') : error;
  }
  try {
    current = asLabPanel(currentInput);
  } catch (error) {
    throw error instanceof ClinicalInputError ? error.under('current') : error;
  }
  const rule = masProtocolDefinition.response;
  const changeRules: Partial<Record<AnalyteId, ChangeRule>> =
    profile.data.response;
  const changes: ParameterChange[] = [];
  const notAssessed: string[] = [];

  for (const [group, spec] of Object.entries(rule.groups) as [
    ResponseGroupId,
    ResponseGroup,
  ][]) {
    let assessed = 0;
    for (const parameter of spec.parameters) {
      const unit =
        masProtocolDefinition.analytes[parameter.analyte].canonicalUnit;
      const before = optionalQuantity(baseline, parameter.analyte, unit);
      const after = optionalQuantity(current, parameter.analyte, unit);
      if (before === undefined || after === undefined) continue;
      const thresholds = requireProfileValue(
        changeRules[parameter.analyte],
        `response.${parameter.analyte}`,
        `the response rule (${parameter.analyte})`,
      );
      assessed += 1;
      const change = percentChange(before, after);
      const good = parameter.improvesWhen === 'decreasing' ? -change : change;
      const trend: ParameterTrend =
        good >= thresholds.improvingChangePercent
          ? 'improving'
          : -good >= thresholds.worseningChangePercent
            ? 'worsening'
            : 'stable';
      changes.push({
        analyte: parameter.analyte,
        group,
        before,
        after,
        unit,
        changePercent: change,
        trend,
        reason: `${parameter.analyte} ${before} -> ${after} ${unit} (${change > 0 ? '+' : ''}${change}%): ${trend} (improving needs ${parameter.improvesWhen === 'decreasing' ? 'a fall' : 'a rise'} of >= ${thresholds.improvingChangePercent}%, worsening is a change the other way of >= ${thresholds.worseningChangePercent}%)`,
      });
    }
    if (assessed === 0) {
      if (spec.required) {
        const first = spec.parameters[0];
        throw new ClinicalInputError(
          first ? first.analyte : group,
          `the response rule needs ${spec.label} in both panels (${spec.parameters.map((p) => p.analyte).join(' or ')})`,
        );
      }
      notAssessed.push(spec.label);
    }
  }

  const worsening = changes.filter((c) => c.trend === 'worsening');
  const byGroup = (group: ResponseGroupId) =>
    changes.filter((c) => c.group === group);
  const inflammationImproving = byGroup('inflammation').some(
    (c) => c.trend === 'improving',
  );
  const reasons: string[] = [];
  let verdict: ResponseVerdict;
  if (worsening.length > 0) {
    verdict = 'worsening';
    reasons.push(...worsening.map((c) => c.reason));
  } else if (inflammationImproving) {
    verdict = 'responding';
    reasons.push(...changes.map((c) => c.reason));
  } else {
    verdict = 'inadequate';
    reasons.push(
      'ferritin is not falling by the institution-set margin',
      ...changes.map((c) => c.reason),
    );
  }
  if (baseline.findings.onTocilizumab || current.findings.onTocilizumab) {
    reasons.push(
      'on tocilizumab: fever and CRP are masked and are not part of this rule',
    );
  }
  if (notAssessed.length > 0) {
    reasons.push(`not assessed: ${notAssessed.join(', ')}`);
  }
  return {
    verdict,
    reasons,
    changes,
    notAssessed,
    evidence: rule.evidence,
    profile: profileStamp(profile),
  };
}
