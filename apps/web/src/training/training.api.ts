import type { LabPanelInput } from '@mas/protocol';

export interface TrainingState {
  readonly notice: string;
  readonly episodeId: string;
  readonly scenario: {
    readonly id: string;
    readonly title: string;
    readonly description: string;
  };
  readonly seed: number;
  readonly virtualHours: number;
  readonly virtualNow: string;
  readonly alive: boolean;
  readonly needsOrganSupport: boolean;
  readonly labs: LabPanelInput;
  readonly results: {
    readonly infection: boolean;
    readonly ebv: 'B' | 'T/NK' | null;
    readonly malignancy: boolean;
  };
  /** The virtual hour each result is expected. */
  readonly resultsAt: {
    readonly infection: number;
    readonly ebv: number;
    readonly malignancy: number;
  };
}

export interface DebriefSide {
  readonly score: number;
  readonly max: number;
  readonly items: readonly {
    readonly rule: string;
    readonly label: string;
    readonly points: number;
    readonly earned: number | null;
    readonly detail: string;
    readonly evidence: readonly string[];
  }[];
  readonly hoursToFirstGlucocorticoid: number | null;
  readonly hoursToFirstTargetedTherapy: number | null;
}

export interface TrainingDebrief {
  readonly notice: string;
  readonly trainee: DebriefSide;
  readonly protocolPolicy: DebriefSide & {
    readonly outcome: string;
    readonly hoursSimulated: number;
  };
}

export interface ScenarioList {
  readonly notice: string;
  readonly scenarios: readonly {
    readonly id: string;
    readonly title: string;
    readonly description: string;
    readonly basis: string;
  }[];
}
