import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import type { LabPanel } from '../panel/lab-panel.util.js';
import {
  type InstitutionProfile,
  type ProfileStamp,
  profileStamp,
} from '../profile/institution-profile.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import {
  compareResponsePanels,
  isInflammationImproving,
  panelAt,
  type ParameterChange,
  responseGroup,
  tocilizumabMaskingReason,
} from './response-change.util.js';

export type {
  ParameterChange,
  ParameterTrend,
  ResponseGroupId,
  UncomparedParameter,
} from './response-change.util.js';
export type ResponseVerdict = 'responding' | 'inadequate' | 'worsening';

export interface ResponseResult {
  readonly verdict: ResponseVerdict;
  readonly reasons: readonly string[];
  readonly changes: readonly ParameterChange[];
  /** Groups of the rule that the panels could not assess. */
  readonly notAssessed: readonly string[];
  readonly evidence: readonly string[];
  readonly profile: ProfileStamp;
}

/**
 * Response to therapy between two panels (the seed: ferritin falling,
 * cytopenias improving, coagulopathy resolving). The directions come from
 * the protocol; the magnitudes are institution-set (no published figure).
 * Over a course of reassessments, use `assessResponseCourse`.
 */
export function assessResponse(
  baselineInput: LabPanelInput | LabPanel,
  currentInput: LabPanelInput | LabPanel,
  profile: InstitutionProfile,
): ResponseResult {
  const baseline = panelAt(baselineInput, 'baseline');
  const current = panelAt(currentInput, 'current');
  const rule = masProtocolDefinition.response;
  const { changes, unassessedGroups } = compareResponsePanels(
    baseline,
    current,
    profile,
  );
  const notAssessed: string[] = [];
  for (const group of unassessedGroups) {
    const spec = responseGroup(group);
    if (spec.required) {
      const first = spec.parameters[0];
      throw new ClinicalInputError(
        first ? first.analyte : group,
        `the response rule needs ${spec.label} in both panels (${spec.parameters.map((p) => p.analyte).join(' or ')})`,
      );
    }
    notAssessed.push(spec.label);
  }

  const worsening = changes.filter((c) => c.trend === 'worsening');
  const reasons: string[] = [];
  let verdict: ResponseVerdict;
  if (worsening.length > 0) {
    verdict = 'worsening';
    reasons.push(...worsening.map((c) => c.reason));
  } else if (isInflammationImproving(changes)) {
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
    reasons.push(tocilizumabMaskingReason);
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
