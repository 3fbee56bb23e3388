import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import {
  asLabPanel,
  type LabPanel,
  optionalQuantity,
} from '../panel/lab-panel.util.js';
import {
  type InstitutionProfile,
  requireProfileValue,
} from '../profile/institution-profile.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import type { AnalyteId, ResponseGroup } from '../protocol/protocol.types.js';
import { stripFloatNoise } from '../units/quantity.util.js';

export type ParameterTrend = 'improving' | 'stable' | 'worsening';

export type ResponseGroupId =
  keyof typeof masProtocolDefinition.response.groups;

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

/** A parameter of the rule measured in one of the two panels only. */
export interface UncomparedParameter {
  readonly analyte: AnalyteId;
  readonly group: ResponseGroupId;
  readonly missingFrom: 'before' | 'after';
}

/** Every parameter of the response rule compared between two panels. */
export interface PanelComparison {
  readonly changes: readonly ParameterChange[];
  /** Groups with no parameter measured in both panels, in protocol order. */
  readonly unassessedGroups: readonly ResponseGroupId[];
  readonly uncompared: readonly UncomparedParameter[];
}

interface ChangeRule {
  readonly improvingChangePercent: number;
  readonly worseningChangePercent: number;
}

const rule = masProtocolDefinition.response;

export const tocilizumabMaskingReason =
  'on tocilizumab: fever and CRP are masked and are not part of this rule';

/** The groups of the response rule, in protocol order. */
export function responseGroups(): readonly [ResponseGroupId, ResponseGroup][] {
  return Object.entries(rule.groups) as [ResponseGroupId, ResponseGroup][];
}

/** Parses a panel, placing the field of an invalid one under `where`. */
export function panelAt(
  input: LabPanelInput | LabPanel,
  where: string,
): LabPanel {
  try {
    return asLabPanel(input);
  } catch (error) {
    throw error instanceof ClinicalInputError ? error.under(where) : error;
  }
}

/** A group of the rule, typed as any group may be (required or not). */
export function responseGroup(id: ResponseGroupId): ResponseGroup {
  return rule.groups[id];
}

export function percentChange(before: number, after: number): number {
  if (before === 0) return after === 0 ? 0 : Infinity;
  return stripFloatNoise(((after - before) / before) * 100);
}

/**
 * Compares two panels parameter by parameter. The directions come from the
 * protocol, the margins from the institution profile (a margin missing for a
 * parameter present in both panels is an error naming it).
 */
export function compareResponsePanels(
  before: LabPanel,
  after: LabPanel,
  profile: InstitutionProfile,
): PanelComparison {
  const changeRules: Partial<Record<AnalyteId, ChangeRule>> =
    profile.data.response;
  const changes: ParameterChange[] = [];
  const unassessedGroups: ResponseGroupId[] = [];
  const uncompared: UncomparedParameter[] = [];

  for (const [group, spec] of responseGroups()) {
    let assessed = 0;
    for (const parameter of spec.parameters) {
      const { analyte } = parameter;
      const unit = masProtocolDefinition.analytes[analyte].canonicalUnit;
      const from = optionalQuantity(before, analyte, unit);
      const to = optionalQuantity(after, analyte, unit);
      if (from === undefined || to === undefined) {
        if (from !== to) {
          uncompared.push({
            analyte,
            group,
            missingFrom: from === undefined ? 'before' : 'after',
          });
        }
        continue;
      }
      const thresholds = requireProfileValue(
        changeRules[analyte],
        `response.${analyte}`,
        `the response rule (${analyte})`,
      );
      assessed += 1;
      const change = percentChange(from, to);
      const good = parameter.improvesWhen === 'decreasing' ? -change : change;
      const trend: ParameterTrend =
        good >= thresholds.improvingChangePercent
          ? 'improving'
          : -good >= thresholds.worseningChangePercent
            ? 'worsening'
            : 'stable';
      changes.push({
        analyte,
        group,
        before: from,
        after: to,
        unit,
        changePercent: change,
        trend,
        reason: `${analyte} ${from} -> ${to} ${unit} (${change > 0 ? '+' : ''}${change}%): ${trend} (improving needs ${parameter.improvesWhen === 'decreasing' ? 'a fall' : 'a rise'} of >= ${thresholds.improvingChangePercent}%, worsening is a change the other way of >= ${thresholds.worseningChangePercent}%)`,
      });
    }
    if (assessed === 0) unassessedGroups.push(group);
  }
  return { changes, unassessedGroups, uncompared };
}

/** Whether the inflammation group (ferritin) improved by its margin. */
export function isInflammationImproving(
  changes: readonly ParameterChange[],
): boolean {
  return changes
    .filter((c) => c.group === 'inflammation')
    .some((c) => c.trend === 'improving');
}
