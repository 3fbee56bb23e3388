import type {
  DecisionTopic,
  DoseSchedule,
  EpisodeActor,
  EpisodeEvent,
  MedicationCoding,
  Patient,
  RouteOfAdministration,
  SupportKind,
} from '@mas/contracts';
import type {
  CourseResponseVerdict,
  DoseCheckAlert,
  DrugId,
  InstitutionProfileData,
  LabPanelInput,
  LabPicture,
  ScreeningKind,
  TherapyClass,
} from '@mas/protocol';

export type { EpisodeEvent };

/** What a guard answers: allowed or not, why, and on what evidence. */
export interface Check {
  readonly ok: boolean;
  readonly reason: string;
  readonly evidence: readonly string[];
  /** The event would be allowed with a rationale. */
  readonly rationaleWouldAllow?: boolean;
  /** The dose is outside a soft limit: allowed once the prescriber confirms it. */
  readonly confirmationWouldAllow?: boolean;
  /** Unusual panel values: allowed once the recorder confirms these fields. */
  readonly unusualFields?: readonly string[];
  /**
   * What is said, never blocked (a day's total of a drug over its per-day
   * limit across several records): shown to whoever records, on the
   * acceptance or with the refusal asking to confirm, and kept in the
   * audit's reason.
   */
  readonly warnings?: readonly string[];
  /**
   * The payload field a refusal is about, where it is one (`schedule.kind`
   * for a pulse of a drug not given as pulses, `dose` for a dose over a hard
   * limit): the service names it as `body.payload.<field>`.
   */
  readonly field?: string;
}

export type InitialStage = 'at-risk' | 'suspected';

export interface EpisodeInput {
  readonly episodeId: string;
  readonly patient: Patient;
  /** When the episode opened (ISO 8601). */
  readonly openedAt: string;
  readonly initialStage: InitialStage;
  readonly profile: {
    readonly data: InstitutionProfileData;
    readonly hash: string;
  };
  /**
   * The deployed protocol version it runs under (default: the deployed
   * `masProtocol`); an unknown or candidate version is refused.
   */
  readonly protocolVersion?: string;
}

export interface TherapyRecord {
  readonly drug: DrugId;
  readonly therapyClass: TherapyClass;
  readonly startedAt: string;
  readonly startedBy: EpisodeActor;
  readonly stoppedAt?: string;
  /** Already on it before the episode: not an escalation. */
  readonly background: boolean;
  readonly emergency: boolean;
  readonly rationale?: string;
  readonly route?: RouteOfAdministration;
  /** The dose as given, in mg (background therapy: not recorded). */
  readonly doseMg?: number;
  /** The dose as the prescriber entered it. */
  readonly dose?: { readonly value: number; readonly unit: string };
  readonly schedule?: DoseSchedule;
  /** When it was recorded, when that differs from when it was given. */
  readonly recordedAt?: string;
  /** The dose check at the start: within the limits, or confirmed outside them. */
  readonly doseCheck?: TherapyDoseCheck;
  /**
   * The creatinine clearance the prescriber gave with the dose (a renal rule
   * reads it): a later check of the running dose reads it too.
   */
  readonly creatinineClearanceMlMin?: number;
  /** Background therapy: times its dose was increased. */
  readonly doseIncreases: readonly string[];
  /** Started while no glucocorticoid had started. */
  readonly beforeGlucocorticoid: boolean;
  /**
   * Earlier doses of this course, oldest first, each with when the next
   * took over (the record's own fields hold the current dose). Absent
   * where the dose never changed.
   */
  readonly doseChanges?: readonly DoseChange[];
}

/** A dose a course was given before it changed, and who changed it when. */
export interface DoseChange {
  /** When the new dose was first given. */
  readonly at: string;
  readonly by: EpisodeActor;
  /** The dose replaced, as it was recorded. */
  readonly previous: {
    readonly dose?: { readonly value: number; readonly unit: string };
    readonly doseMg?: number;
    readonly route?: RouteOfAdministration;
    readonly schedule?: DoseSchedule;
    readonly doseCheck?: TherapyDoseCheck;
    /** The creatinine clearance that dose was checked with. */
    readonly creatinineClearanceMlMin?: number;
  };
}

/** What the dose check found when the dose was recorded. */
export interface TherapyDoseCheck {
  readonly tier: 'within' | 'soft' | 'unchecked';
  /** The limits the dose fell outside (soft) or why it was not checked. */
  readonly messages: readonly string[];
  /** The computed dose for this patient, in words. */
  readonly computed?: string;
  /**
   * Soft limit: the limits the confirmed dose fell outside, each with its
   * figure then (a later check of the running dose tells whether it is now
   * further outside than what was confirmed).
   */
  readonly exceeded?: readonly ExceededLimit[];
  /** Soft limit: the prescriber's confirmation. */
  readonly confirmedBy?: EpisodeActor;
  readonly confirmation?: string;
  /** Alerts the record raises while the therapy runs. */
  readonly alerts?: readonly DoseCheckAlert[];
}

/** A limit a dose fell outside, with its figure at the time. */
export interface ExceededLimit {
  /** The limit's id in the dose check (`range-upper`...). */
  readonly id: string;
  readonly bound: 'lower' | 'upper';
  /** What the limit is held against: a dose (an infusion), or the day's total. */
  readonly per: 'infusion' | 'dose' | 'day';
  readonly limitMg: number;
}

/** A drug outside the protocol's table (taper, IVIG, cyclophosphamide...). */
export interface OtherTherapyRecord {
  readonly recordId: string;
  readonly medication: MedicationCoding;
  readonly dose: { readonly value: number; readonly unit: string };
  readonly route: RouteOfAdministration;
  readonly schedule: DoseSchedule;
  readonly startedAt: string;
  readonly recordedAt: string;
  readonly startedBy: EpisodeActor;
  readonly stoppedAt?: string;
  /** Recognised as the oral glucocorticoid taper the protocol tracks. */
  readonly glucocorticoidTaper: boolean;
  readonly doseConfirmation?: string;
}

export interface EscalationRequest {
  readonly requestId: string;
  readonly drug: DrugId;
  readonly requestedBy: EpisodeActor;
  readonly requestedAt: string;
  readonly rationale: string;
  readonly evidence: readonly string[];
  readonly status: 'pending' | 'approved' | 'rejected' | 'started';
  readonly decidedBy?: EpisodeActor;
  readonly decidedAt?: string;
  readonly decisionRationale?: string;
}

export interface EmergencyStart {
  /** `<drug>-<n>`: each emergency start has its own countersignature. */
  readonly id: string;
  readonly drug: DrugId;
  readonly startedBy: EpisodeActor;
  readonly startedAt: string;
  readonly rationale: string;
  readonly countersignedBy?: EpisodeActor;
  readonly countersignedAt?: string;
}

export interface RecordedDecision {
  readonly choice: string;
  readonly at: string;
  readonly by: EpisodeActor;
  readonly rationale: string;
}

export interface ScreeningRecord {
  readonly result: 'done' | 'overridden';
  readonly at: string;
  readonly by: EpisodeActor;
  readonly rationale?: string;
}

export type DueId =
  | 'reassessment'
  | 'labs'
  | 'glucocorticoidStart'
  | `countersignature:${string}`;

export interface DueState {
  /** Null: not scheduled. */
  readonly dueAt: string | null;
  readonly pausedAt: string | null;
  readonly firedAt: string | null;
}

export interface FiredDue {
  readonly id: DueId;
  readonly dueAt: string;
  /** When an event first showed the due time had passed. */
  readonly firedAt: string;
  readonly latenessMinutes: number;
  /** When what was due was done (reassessment recorded, labs resulted, ...). */
  readonly resolvedAt?: string;
  readonly resolvedLatenessMinutes?: number;
}

export type AlertId =
  | 'mas-not-considered'
  | 'glucocorticoid-delayed'
  | 'cns-without-dexamethasone'
  | 'infection-without-antimicrobials'
  | 'malignancy-not-treated'
  | 'reassessment-overdue'
  | 'labs-overdue'
  | 'monitoring-incomplete'
  | 'severity-underestimated'
  | 'second-line-before-glucocorticoid'
  | 'countersignature-overdue'
  | 'escalation-indicated'
  | 'rituximab-ebv-t-nk'
  | 'clinical-diagnosis-without-criteria'
  | 'criteria-masked-by-tocilizumab'
  | 'dose-outside-rule'
  | 'dose-not-checked'
  | 'anakinra-standard-dose'
  | 'therapy-recorded-twice'
  | 'glucocorticoid-in-remission'
  | 'dose-outside-limits-now'
  | 'dose-given-outside-limits-now'
  | 'no-treatment-running';

export interface Alert {
  readonly id: AlertId;
  readonly severity: 'critical' | 'warning' | 'info';
  readonly message: string;
  readonly evidence: readonly string[];
  readonly since: string;
}

export interface AlertLogEntry {
  readonly id: AlertId;
  readonly raisedAt: string;
  readonly clearedAt?: string;
  /**
   * What it said when raised (absent from entries an earlier statechart
   * wrote): once cleared, the record still says what the ward was told.
   */
  readonly severity?: Alert['severity'];
  readonly message?: string;
}

export interface PanelRecord {
  /** When the sample was drawn. */
  readonly at: string;
  readonly panel: LabPanelInput;
}

export interface ScreenSummary {
  readonly at: string;
  readonly suggestive: boolean;
  readonly criteriaMet: boolean;
  readonly reasons: readonly string[];
  readonly hscore?: number;
  readonly mas2016Classified?: boolean;
  readonly mas2016Applicable?: boolean;
  readonly hlh2004CriteriaMet?: number;
  readonly msScore?: number;
  readonly notComputed: readonly string[];
  /** Calculators that cannot decide yet (items not assessed). */
  readonly undecided?: readonly string[];
  /** Which sample each item the calculators used came from. */
  readonly sampledAt?: Readonly<Record<string, string>>;
}

export interface ResponseRecord {
  readonly at: string;
  /** Too early to judge, or left to the clinician, where the rule says so. */
  readonly verdict: CourseResponseVerdict;
  readonly reasons: readonly string[];
  /** A senior judged the response inadequate on clinical grounds. */
  readonly clinicalJudgement?: {
    readonly by: EpisodeActor;
    readonly rationale: string;
  };
}

export type Outcome = 'excluded' | 'died' | 'transferred-out' | 'closed';

export interface EpisodeContext {
  readonly episodeId: string;
  readonly patient: Patient;
  /**
   * When the patient's weight and height held were measured: a measure
   * recorded since the opening, by its time; the admission's figures are
   * not in it (measured some time before the opening: any new measure
   * replaces them, and their age counts from the opening). Absent from
   * snapshots before statechart 2.5.0: then no time is known at all.
   */
  readonly measuredAt?: {
    readonly weightKg?: string;
    readonly heightCm?: string;
  };
  readonly protocol: {
    readonly id: string;
    readonly version: string;
    readonly hash: string;
  };
  readonly profile: {
    readonly id: string;
    readonly version: string;
    readonly hash: string;
    readonly example: boolean;
  };
  readonly profileData: InstitutionProfileData;
  readonly initialStage: InitialStage;
  readonly openedAt: string;
  /** The latest time the episode has seen (events carry time). */
  readonly now: string;
  readonly suspicionAt: string | null;
  readonly firstGlucocorticoidAt: string | null;
  readonly firstTargetedTherapyAt: string | null;
  readonly severe: boolean;
  readonly rapidlyWorsening: boolean;
  readonly cnsInvolvement: boolean;
  readonly hemorrhage: boolean;
  readonly therapies: readonly TherapyRecord[];
  readonly otherTherapies: readonly OtherTherapyRecord[];
  readonly escalationRequests: readonly EscalationRequest[];
  readonly emergencyStarts: readonly EmergencyStart[];
  readonly screenings: Readonly<
    Partial<Record<ScreeningKind, ScreeningRecord>>
  >;
  readonly triggers: {
    readonly infection: boolean;
    readonly malignancy: boolean;
    readonly ebv: boolean;
    readonly ebvCellType: 'B' | 'T/NK' | 'unknown' | null;
  };
  readonly antimicrobialsActive: boolean;
  readonly malignancyTreatmentStarted: boolean;
  readonly decisions: Readonly<
    Partial<Record<DecisionTopic, RecordedDecision>>
  >;
  readonly support: readonly SupportKind[];
  /**
   * The episode's lab picture: the latest value of each analyte and finding
   * with its sample time (partial panels combine).
   */
  readonly labPicture: LabPicture;
  /** The current picture as a panel, at its newest sample. */
  readonly lastPanel: PanelRecord | null;
  /** The previous assessment the next reassessment is compared with (pre-treatment, then the last reassessment). */
  readonly responseBaseline: PanelRecord | null;
  /** The picture when treatment of this flare started: the response baseline. */
  readonly treatmentBaseline: PanelRecord | null;
  /** When the first immunosuppressant of this flare started. */
  readonly treatmentStartedAt: string | null;
  /** When a panel of this episode first met classification criteria. */
  readonly criteriaMetAt: string | null;
  /** A suggestive panel arrived while no suspicion was recorded. */
  readonly unrecognisedSuggestiveAt: string | null;
  /** Tocilizumab given in this episode: it masks MAS features for weeks. */
  readonly tocilizumabGiven: boolean;
  readonly lastScreen: ScreenSummary | null;
  readonly lastResponse: ResponseRecord | null;
  /** An inadequate response or worsening has been recorded (since the last relapse). */
  readonly inadequateResponseRecorded: boolean;
  readonly reassessments: number;
  readonly missingMonitoringItems: readonly string[];
  readonly diagnosisBasis: 'criteria' | 'clinical' | null;
  readonly clinicalDiagnosisWithoutCriteria: boolean;
  readonly dues: Readonly<Record<string, DueState>>;
  readonly firedDues: readonly FiredDue[];
  readonly hold: { readonly since: string; readonly reason: string } | null;
  readonly alerts: readonly Alert[];
  readonly alertLog: readonly AlertLogEntry[];
  readonly relapses: number;
  /** Between remission and relapse (or closure). */
  readonly inRemission: boolean;
  /**
   * The remission recorded: when, and how many therapy records the episode
   * held then (a record after them was started in remission, whatever its
   * clock time). Absent outside remission.
   */
  readonly remission?: {
    readonly at: string;
    readonly therapiesBefore: number;
  };
  readonly outcome: Outcome | null;
}

export type EpisodeTag =
  | 'at-risk'
  | 'suspected'
  | 'work-up'
  | 'confirmed'
  | 'untreated'
  | 'first-line'
  | 'escalated'
  | 'refractory'
  | 'remission'
  | 'taper'
  | 'on-hold'
  | 'overdue'
  | 'on-time'
  | 'alerting'
  | 'infection'
  | 'malignancy'
  | 'ebv'
  | 'supportive-care'
  | 'final';
