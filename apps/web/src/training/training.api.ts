import type { Debrief } from '@mas/mas-episode/simulation';
import type { LabPanelInput } from '@mas/protocol';
import type { knownResults } from '@mas/simulation';

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
  readonly results: ReturnType<typeof knownResults>;
  /** The virtual hour each result is expected. */
  readonly resultsAt: {
    readonly infection: number;
    readonly ebv: number;
    readonly malignancy: number;
  };
}

/** One side of the debrief: the scored course and its times (from the service). */
export type DebriefSide = Debrief & {
  readonly hoursToFirstGlucocorticoid: number | null;
  readonly hoursToFirstTargetedTherapy: number | null;
};

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
