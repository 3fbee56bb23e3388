/**
 * The words people read: what each event, state, alert, drug, finding and
 * unit is called on the ward. One table, so that the service, the CLI and
 * the web app say the same thing; ids stay in the data and the audit.
 * Versioned apart from the protocol's clinical content (a better word does
 * not change a threshold): `clinicalLabels.version`.
 */
import type { DrugId } from '../doses/dose-request.schema.js';

/** The task an action belongs to (how the ward groups what it can do). */
export type ActionGroup =
  | 'diagnose'
  | 'treat'
  | 'escalate'
  | 'monitor'
  | 'screen'
  | 'support'
  | 'course';

/** The groups, in the order a page lists them. */
export const actionGroups: readonly {
  readonly id: ActionGroup;
  readonly label: string;
}[] = [
  { id: 'diagnose', label: 'Diagnose' },
  { id: 'treat', label: 'Treat' },
  { id: 'escalate', label: 'Escalate' },
  { id: 'monitor', label: 'Monitor' },
  { id: 'screen', label: 'Screen and triggers' },
  { id: 'support', label: 'Supportive care' },
  { id: 'course', label: 'Course of the episode' },
];

/**
 * Each event: its label, `{subject}` standing for the drug, kind or topic it
 * is about, and its group. A key `type:qualifier` words a special form of
 * the event (an emergency start, a diagnosis on clinical grounds).
 */
export interface EventWords {
  readonly label: string;
  /** The event in general, where its label names a subject. */
  readonly general?: string;
  readonly group: ActionGroup;
}

export const eventLabels = {
  'clock.ticked': { label: 'Time passed', group: 'course' },
  'labs.recorded': { label: 'Record laboratory results', group: 'monitor' },
  'reassessment.recorded': {
    label: 'Record the reassessment (labs and response)',
    group: 'monitor',
  },
  'suspicion.recorded': { label: 'Record suspicion of MAS', group: 'diagnose' },
  'workup.started': {
    label: 'Start the diagnostic work-up',
    group: 'diagnose',
  },
  'diagnosis.confirmed': { label: 'Confirm MAS', group: 'diagnose' },
  'diagnosis.confirmed:criteria': {
    label: 'Confirm MAS on the classification criteria',
    group: 'diagnose',
  },
  'diagnosis.confirmed:clinical': {
    label: 'Confirm MAS on clinical grounds',
    group: 'diagnose',
  },
  'diagnosis.excluded': { label: 'Exclude MAS', group: 'diagnose' },
  'severity.assessed': { label: 'Assess severity', group: 'diagnose' },
  'therapy.started': {
    label: 'Start {subject}',
    general: 'Start a therapy',
    group: 'treat',
  },
  'therapy.started:emergency': {
    label: 'Emergency start of {subject} (countersignature follows)',
    general: 'Emergency start (countersignature follows)',
    group: 'escalate',
  },
  'therapy.dose-changed': {
    label: 'Change the dose of {subject}',
    general: 'Change the dose of a therapy',
    group: 'treat',
  },
  'therapy.stopped': {
    label: 'Stop {subject}',
    general: 'Stop a therapy',
    group: 'treat',
  },
  'other-therapy.started': {
    label: 'Start another medication ({subject})',
    general: 'Start another medication',
    group: 'treat',
  },
  'other-therapy.stopped': {
    label: 'Stop {subject}',
    general: 'Stop another medication',
    group: 'treat',
  },
  'background-therapy.recorded': {
    label: 'Record {subject} already being given',
    general: 'Record a therapy already being given',
    group: 'treat',
  },
  'background-therapy.recorded:dose-increased': {
    label: 'Raise the dose of {subject} already being given',
    general: 'Raise the dose of a therapy already being given',
    group: 'escalate',
  },
  'escalation.requested': {
    label: 'Request escalation to {subject}',
    general: 'Request an escalation',
    group: 'escalate',
  },
  'escalation.approved': {
    label: 'Approve escalation to {subject}',
    general: 'Approve an escalation',
    group: 'escalate',
  },
  'escalation.rejected': {
    label: 'Reject escalation to {subject}',
    general: 'Reject an escalation',
    group: 'escalate',
  },
  'escalation.countersigned': {
    label: 'Countersign the emergency start of {subject}',
    general: 'Countersign an emergency start',
    group: 'escalate',
  },
  'screening.recorded': {
    label: 'Record {subject}',
    general: 'Record a screening or prophylaxis',
    group: 'screen',
  },
  'trigger.identified': {
    label: 'Record a trigger: {subject}',
    general: 'Record a trigger',
    group: 'screen',
  },
  'antimicrobials.started': { label: 'Start antimicrobials', group: 'screen' },
  'antimicrobials.stopped': { label: 'Stop antimicrobials', group: 'screen' },
  'decision.recorded': {
    label: 'Record a decision: {subject}',
    general: 'Record a decision',
    group: 'treat',
  },
  'malignancy-treatment.started': {
    label: 'Start treatment of the malignancy',
    group: 'screen',
  },
  'support.started': {
    label: 'Start {subject}',
    general: 'Start supportive care',
    group: 'support',
  },
  'support.stopped': {
    label: 'Stop {subject}',
    general: 'Stop supportive care',
    group: 'support',
  },
  'hold.started': { label: 'Put the protocol on hold', group: 'course' },
  'hold.ended': { label: 'End the hold', group: 'course' },
  'remission.recorded': { label: 'Record remission', group: 'monitor' },
  'taper.started': { label: 'Start the taper', group: 'treat' },
  'relapse.recorded': { label: 'Record a relapse', group: 'monitor' },
  'death.recorded': { label: 'Record death', group: 'course' },
  'transfer-out.recorded': {
    label: 'Record transfer to another hospital',
    group: 'course',
  },
  'measures.recorded': {
    label: 'Record a new weight or height',
    group: 'monitor',
  },
  'episode.closed': { label: 'Close the episode', group: 'course' },
  'protocol.migrated': {
    label: 'Move the episode to protocol version {subject}',
    general: 'Move the episode to another protocol version',
    group: 'course',
  },
  'profile.adopted': {
    label: 'Adopt the institution profile {subject}',
    general: 'Adopt another institution profile',
    group: 'course',
  },
  'entry.voided': {
    label: 'Mark entry #{subject} entered in error',
    general: 'Mark an entry entered in error',
    group: 'course',
  },
} as const satisfies Readonly<Record<string, EventWords>>;

/** Drugs as the ward writes them. */
export const drugLabels: Readonly<Record<DrugId, string>> = {
  methylprednisolone: 'methylprednisolone',
  dexamethasone: 'dexamethasone',
  ciclosporin: 'ciclosporin',
  anakinra: 'anakinra',
  emapalumab: 'emapalumab',
  ruxolitinib: 'ruxolitinib (JAK inhibitor)',
  baricitinib: 'baricitinib (JAK inhibitor)',
  etoposide: 'low-dose etoposide',
  rituximab: 'rituximab',
  tocilizumab: 'tocilizumab',
};

/** What an event can be about besides a drug: kinds, triggers, topics. */
export const subjectLabels: Readonly<Record<string, string>> = {
  'tb-screening': 'tuberculosis screening',
  'zoster-prophylaxis': 'herpes zoster prophylaxis',
  'pjp-prophylaxis': 'Pneumocystis prophylaxis',
  'fungal-prophylaxis': 'antifungal prophylaxis',
  'hbv-serology': 'hepatitis B serology',
  ventilation: 'mechanical ventilation',
  vasopressors: 'vasopressors',
  'renal-replacement': 'renal replacement therapy',
  transfusion: 'transfusion',
  'coagulopathy-management': 'management of the coagulopathy',
  'bleeding-watch': 'bleeding watch',
  infection: 'infection',
  malignancy: 'malignancy',
  ebv: 'EBV infection',
  'cns-dexamethasone': 'dexamethasone for CNS involvement',
  'infection-antimicrobials': 'antimicrobials for an infection',
};

/**
 * The states of the care episode, by the statechart's state id. The
 * treatment stage reads as a stage; the parallel regions as findings.
 */
export const stateLabels: Readonly<Record<string, string>> = {
  masEpisode: 'Care episode',
  'masEpisode.open': 'Open',
  'masEpisode.open.diagnosis': 'Diagnosis',
  'masEpisode.open.diagnosis.atRisk': 'At risk',
  'masEpisode.open.diagnosis.suspected': 'MAS suspected',
  'masEpisode.open.diagnosis.workUp': 'Work-up under way',
  'masEpisode.open.diagnosis.confirmed': 'MAS confirmed',
  'masEpisode.open.treatment': 'Treatment',
  'masEpisode.open.treatment.untreated': 'Not yet treated',
  'masEpisode.open.treatment.active': 'On treatment',
  'masEpisode.open.treatment.active.firstLine': 'First line (glucocorticoid)',
  'masEpisode.open.treatment.active.escalated': 'Escalated (second line)',
  'masEpisode.open.treatment.active.refractory': 'Refractory therapy',
  'masEpisode.open.treatment.active.history': 'Last treatment stage',
  'masEpisode.open.treatment.remission': 'Remission',
  'masEpisode.open.treatment.taper': 'Taper',
  'masEpisode.open.hold': 'Hold',
  'masEpisode.open.hold.none': 'Protocol running',
  'masEpisode.open.hold.onHold': 'Protocol on hold',
  'masEpisode.open.reassessment': 'Reassessment',
  'masEpisode.open.reassessment.notScheduled': 'No reassessment due yet',
  'masEpisode.open.reassessment.onTime': 'Reassessment on time',
  'masEpisode.open.reassessment.overdue': 'Reassessment overdue',
  'masEpisode.open.triggers': 'Triggers',
  'masEpisode.open.triggers.infection': 'Infection',
  'masEpisode.open.triggers.infection.absent': 'No infection known',
  'masEpisode.open.triggers.infection.present': 'Infection present',
  'masEpisode.open.triggers.infection.present.uncovered':
    'Infection not yet covered',
  'masEpisode.open.triggers.infection.present.covered':
    'Infection under antimicrobials',
  'masEpisode.open.triggers.malignancy': 'Malignancy',
  'masEpisode.open.triggers.malignancy.absent': 'No malignancy known',
  'masEpisode.open.triggers.malignancy.present': 'Malignancy present',
  'masEpisode.open.triggers.malignancy.present.untreated':
    'Malignancy not yet treated',
  'masEpisode.open.triggers.malignancy.present.treated': 'Malignancy treated',
  'masEpisode.open.triggers.ebv': 'EBV',
  'masEpisode.open.triggers.ebv.absent': 'No EBV infection known',
  'masEpisode.open.triggers.ebv.present': 'EBV infection present',
  'masEpisode.open.subtype': 'Underlying disease',
  'masEpisode.open.subtype.unclassified': 'Underlying disease not classified',
  'masEpisode.open.subtype.stills': "Still's disease (sJIA / AOSD)",
  'masEpisode.open.subtype.sle': 'Systemic lupus erythematosus',
  'masEpisode.open.subtype.other': 'Another rheumatic disease',
  'masEpisode.open.support': 'Supportive care',
  'masEpisode.open.support.none': 'No organ support',
  'masEpisode.open.support.active': 'Organ support under way',
  'masEpisode.open.alerting': 'Alerts',
  'masEpisode.open.alerting.quiet': 'No open alert',
  'masEpisode.open.alerting.alerting': 'Open alerts',
  'masEpisode.excluded': 'MAS excluded',
  'masEpisode.died': 'Died',
  'masEpisode.transferredOut': 'Transferred out',
  'masEpisode.closed': 'Closed',
};

/**
 * The escalation report's decisions (`GET /api/escalations`), in words; a
 * screening overridden is "screening-overridden: <kind>", its kind a subject.
 */
export const escalationDecisionLabels: Readonly<Record<string, string>> = {
  requested: 'Escalation requested',
  approved: 'Escalation approved',
  rejected: 'Escalation rejected',
  countersigned: 'Emergency start countersigned',
  'emergency-start': 'Emergency start',
  'dose-outside-range-confirmed': 'Dose outside its range, confirmed',
  'response-judged-inadequate-on-clinical-grounds':
    'Response judged inadequate on clinical grounds',
  'screening-overridden': 'Screening overridden',
  'history-not-read': 'Earlier entries this version cannot read',
};

/** Each alert's title (its message says the particulars). */
export const alertLabels = {
  'mas-not-considered': 'MAS not considered',
  'glucocorticoid-delayed': 'Glucocorticoid delayed',
  'cns-without-dexamethasone': 'CNS involvement without dexamethasone',
  'infection-without-antimicrobials': 'Infection without antimicrobials',
  'malignancy-not-treated': 'Malignancy not treated',
  'reassessment-overdue': 'Reassessment overdue',
  'labs-overdue': 'Laboratory results overdue',
  'monitoring-incomplete': 'Monitoring incomplete',
  'severity-underestimated': 'Severity underestimated',
  'second-line-before-glucocorticoid': 'Second line before a glucocorticoid',
  'countersignature-overdue': 'Countersignature overdue',
  'escalation-indicated': 'Escalation indicated',
  'rituximab-ebv-t-nk': 'Rituximab does not treat T/NK-cell EBV',
  'clinical-diagnosis-without-criteria':
    'Diagnosis on clinical grounds, criteria not met',
  'criteria-masked-by-tocilizumab': 'Criteria may be masked by tocilizumab',
  'dose-outside-rule': 'Dose outside the rule',
  'dose-not-checked': 'Dose not checked against the rules',
  'anakinra-standard-dose': 'Anakinra at the standard dose',
  'therapy-recorded-twice': 'A therapy recorded twice',
  'glucocorticoid-in-remission': 'Glucocorticoid started in remission',
  'dose-outside-limits-now':
    'Running dose outside the limits at the current weight or height',
  'dose-given-outside-limits-now':
    'Pulse given past the hard limit at the current weight or height',
  'no-treatment-running': 'No MAS treatment running',
} as const satisfies Readonly<Record<string, string>>;

/** What falls due in an episode (a countersignature: per emergency start). */
export const dueLabels: Readonly<Record<string, string>> = {
  reassessment: 'the reassessment',
  labs: 'the monitoring labs',
  glucocorticoidStart: 'the start of the glucocorticoid',
  countersignature: 'the countersignature of an emergency start',
};

/**
 * Units whose clinical writing is not the rule of `clinicalUnits` (which
 * writes powers of ten, °C, µ and m² from their UCUM codes).
 */
export const unitLabels: Readonly<Record<string, string>> = {
  '[degF]': '°F',
  '/uL': '/µL',
};

/**
 * The sections of the protocol data and of its recording rules as a
 * protocol committee names them (the protocol diff's words).
 */
export const protocolSectionLabels: Readonly<Record<string, string>> = {
  definition: 'Protocol',
  recording: 'Recording rules',
  title: 'Title',
  conversionSignificantDigits: 'Significant digits after a unit conversion',
  analytes: 'Laboratory analytes',
  patient: 'Patient measures',
  usual: 'Usual ranges (confirmation asked outside them)',
  labPicture: 'Lab picture',
  durableItems: 'Findings kept until replaced',
  monitoring: 'Monitoring',
  reassessmentIntervalHours: 'Reassessment interval (hours)',
  items: 'Items each reassessment panel should hold',
  mas2016: '2016 EULAR/ACR/PRINTO classification criteria',
  hscore: 'HScore',
  hlh2004: 'HLH-2004 diagnostic criteria',
  msScore: 'MS score',
  ferritinEsr: 'Ferritin/ESR ratio',
  response: 'Response to treatment',
  therapies: 'Therapies',
  requiredScreenings: 'Screenings required before a therapy',
  atRiskDiseases: 'Diseases at risk of MAS',
  stillsDiseases: "Still's disease",
  dueTimes: 'Due times',
  bodySurfaceArea: 'Body surface area',
  doses: 'Doses',
  eventRoles: 'Who may record each event',
  roleLabels: 'Roles',
  otherTherapy: 'Other therapies',
  time: 'Clinical times',
};

/**
 * The words of a correction: an audited event marked entered in error (FHIR
 * status `entered-in-error`), `{seq}` standing for the entry's number.
 */
export const entryCorrectionLabels = {
  enteredInError: 'Entered in error',
  mark: 'Mark entered in error',
  voidEntry: 'Entry #{seq} marked entered in error',
  rationale: 'Why it was entered in error (kept in the audit)',
  cancel: 'Cancel',
} as const;

export const clinicalLabels = {
  version: '1.1.0',
  actionGroups,
  eventLabels,
  drugLabels,
  subjectLabels,
  stateLabels,
  alertLabels,
  escalationDecisionLabels,
  dueLabels,
  unitLabels,
  protocolSectionLabels,
  entryCorrectionLabels,
} as const;
