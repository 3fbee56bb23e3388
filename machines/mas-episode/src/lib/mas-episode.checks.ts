/**
 * The guards of the care episode as pure checks: each answers allowed or
 * not, the reason in words, and the evidence behind the rule. The machine's
 * guards call these; the explainer shows their reasons.
 *
 * Never gated (clinical review, section 10): glucocorticoids, antimicrobials,
 * transfusion and organ support. Their checks only refuse malformed input.
 */
import {
  type EpisodeEvent,
  type EpisodeEventOf,
  organSupportKinds,
} from '@mas/contracts';
import {
  analyteIds,
  checkPatientMeasures,
  ClinicalInputError,
  compareVersions,
  findEvidence,
  findProtocolVersion,
  type LabPanelInput,
  masProtocolDefinition,
  parseInstitutionProfile,
  protocolVersions,
  sameAnalyteQuantity,
  subjectLabel,
  type TherapyClass,
  unusualMeasureChange,
  unusualValues,
} from '@mas/protocol';

import { checkRole, checkTimes } from './mas-episode.recording.js';
import type { Check, EpisodeContext } from './mas-episode.types.js';
import { measuresTaken } from './measures.util.js';
import {
  findMigrationPlan,
  findMigrationPlanByHash,
  type MigrationPlan,
  migrationPlanHash,
  migrationPlans,
} from './migration-plans.js';
import { parsePanel } from './panel-cache.util.js';
import { checkProfileForEpisode } from './profile-values.util.js';
import {
  checkDoseChange,
  checkOtherTherapy,
  checkTherapyDose,
  currentDoseSince,
  namedRecords,
  pulseDayProblem,
  recordText,
  runningBeside,
} from './therapy-record.util.js';
import { hoursBetween, normalize, toMs } from './time.util.js';

const { therapies, requiredScreenings, screeningEvidence, stillsDiseases } =
  masProtocolDefinition;

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

export const ok = (
  reason: string,
  evidence: readonly string[] = [],
): Check => ({
  ok: true,
  reason,
  evidence: unique(evidence),
});

export const blocked = (
  reason: string,
  evidence: readonly string[],
  rationaleWouldAllow = false,
): Check => ({
  ok: false,
  reason,
  evidence: unique(evidence),
  ...(rationaleWouldAllow ? { rationaleWouldAllow } : {}),
});

/** Allowed with a rationale, blocked without one. */
function needsRationale(
  event: EpisodeEvent,
  why: string,
  evidence: readonly string[],
): Check {
  return event.rationale
    ? ok(`allowed with the recorded rationale: ${why}`, evidence)
    : blocked(`a rationale is required: ${why}`, evidence, true);
}

export function therapyClassOf(drug: string): TherapyClass {
  const definition = (therapies as Record<string, { class: TherapyClass }>)[
    drug
  ];
  if (!definition) throw new Error(`no therapy class for ${drug}`);
  return definition.class;
}

export function therapyEvidence(drug: string): readonly string[] {
  return (
    (therapies as Record<string, { evidence: readonly string[] }>)[drug]
      ?.evidence ?? []
  );
}

/** The oldest emergency start of `drug` still awaiting countersignature. */
export function openEmergencyStart(context: EpisodeContext, drug: string) {
  return context.emergencyStarts.find(
    (s) => s.drug === drug && s.countersignedBy === undefined,
  );
}

export function activeTherapies(context: EpisodeContext) {
  return context.therapies.filter((t) => t.stoppedAt === undefined);
}

export function isActive(context: EpisodeContext, drug: string): boolean {
  return activeTherapies(context).some((t) => t.drug === drug);
}

/**
 * An immunosuppressant is active within the episode (every therapy of the
 * protocol is one). Background therapy of a patient followed at risk, before
 * any suspicion, does not start the episode's 12-hourly reassessment.
 */
export function isImmunosuppressed(context: EpisodeContext): boolean {
  return activeTherapies(context).some(
    (therapy) => !therapy.background || context.suspicionAt !== null,
  );
}

export function hasGlucocorticoidStarted(context: EpisodeContext): boolean {
  return context.firstGlucocorticoidAt !== null;
}

export function hasEverStarted(context: EpisodeContext, drug: string): boolean {
  return context.therapies.some((t) => t.drug === drug);
}

/**
 * The latest reassessment found an inadequate response or worsening, or the
 * episode is marked rapidly worsening.
 */
export function isEscalationWarranted(context: EpisodeContext): boolean {
  const verdict = context.lastResponse?.verdict;
  return (
    verdict === 'inadequate' ||
    verdict === 'worsening' ||
    context.rapidlyWorsening
  );
}

const prescribers = ['clinician', 'senior-clinician'];

function isStillsDisease(context: EpisodeContext): boolean {
  return (stillsDiseases as readonly string[]).includes(
    context.patient.underlyingDisease,
  );
}

/**
 * A result for a sample the picture already holds (the same analyte at the
 * same sample time) with another value: a correction, or two results that
 * cannot both be true. Taken with the recorder's reason (the later
 * replaces the earlier in the picture), never silently. An equal value
 * (900 ng/mL is 900 ug/L) is the same result. Null when there is none.
 */
function sampleConflict(
  context: EpisodeContext,
  event: EpisodeEventOf<'labs.recorded' | 'reassessment.recorded'>,
): Check | null {
  const { panel, collectedAt } = event.payload;
  const time = Date.parse(collectedAt);
  const conflicts = analyteIds.flatMap((analyte) => {
    const sent = panel[analyte];
    const held = context.labPicture[analyte];
    if (sent === undefined || held === undefined) return [];
    if (Date.parse(held.collectedAt) !== time) return [];
    return sameAnalyteQuantity(analyte, sent, held.value)
      ? []
      : [
          `${masProtocolDefinition.analytes[analyte].label} of the sample of ${held.collectedAt} was recorded as ${String(held.value.value)} ${held.value.unit}, now ${String(sent.value)} ${sent.unit}`,
        ];
  });
  if (conflicts.length === 0) return null;
  const evidence = ['software.plausibility', 'software.recording'];
  // From the laboratory's own system (the FHIR import), another value for
  // a sample is the laboratory's correction: taken, and said (a feed gives
  // no reason, and refusing it would keep the value the laboratory
  // withdrew).
  if ('source' in event.payload && event.payload.source !== undefined) {
    return {
      ...ok('a laboratory correction', evidence),
      warnings: [
        `the laboratory sent another value for a sample already recorded: ${conflicts.join('; ')} (the later replaces the earlier)`,
      ],
    };
  }
  return needsRationale(
    event,
    `${conflicts.join('; ')}: a correction of a result states its reason (the later replaces the earlier)`,
    evidence,
  );
}

/**
 * Whether a reassessment brings a new sample: `no-values` when its panel
 * holds no laboratory value (its verdict is then the last one), `stale`
 * when its sample was drawn longer ago than the reassessment interval
 * (said), null when it does.
 */
export function reassessmentSample(
  event: EpisodeEventOf<'reassessment.recorded'>,
): 'no-values' | 'stale' | null {
  const { panel, collectedAt } = event.payload;
  if (!analyteIds.some((id) => panel[id] !== undefined)) return 'no-values';
  return hoursBetween(collectedAt, event.at) >
    masProtocolDefinition.monitoring.reassessmentIntervalHours
    ? 'stale'
    : null;
}

function checkPanel(
  panel: unknown,
  field: string,
  confirmed: readonly string[] = [],
): Check {
  try {
    parsePanel(panel as LabPanelInput);
    // Plausible but unusual values (a likely unit slip) need the recorder's
    // confirmation, field by field.
    const accepted = new Set(confirmed.map((name) => name.split('.')[0]));
    const open = unusualValues(panel as LabPanelInput).filter(
      (item) => !accepted.has(item.field.split('.')[0]),
    );
    if (open.length > 0) {
      return {
        ok: false,
        reason: `unusual values, confirm each (confirmUnusual) or correct it: ${open.map((item) => `${field}.${item.field}: ${item.message}`).join('; ')}`,
        evidence: unique(open.flatMap((item) => item.evidence)),
        unusualFields: open.map(
          (item) => item.field.split('.')[0] ?? item.field,
        ),
      };
    }
    return ok('the panel is valid');
  } catch (error) {
    if (error instanceof ClinicalInputError) {
      return blocked(`${field}.${error.message}`, ['software.plausibility']);
    }
    throw error;
  }
}

/**
 * A stop dated before the start of what it stops (a slip of the date, or the
 * wrong record): refused, naming `stoppedAt` and the start. A stop without
 * its own time is the recording time, which a start given within the clock
 * skew may follow: it is not refused.
 */
function stopBeforeStart(
  stoppedAt: string | undefined,
  running: readonly {
    readonly startedAt: string;
    /** The time is the course's last dose change, not its start. */
    readonly doseChange?: boolean;
  }[],
): Check | null {
  const latest = running.reduce<(typeof running)[number] | null>(
    (max, each) =>
      max === null || toMs(each.startedAt) > toMs(max.startedAt) ? each : max,
    null,
  );
  if (
    stoppedAt === undefined ||
    latest === null ||
    toMs(stoppedAt) >= toMs(latest.startedAt)
  ) {
    return null;
  }
  return blocked(
    latest.doseChange === true
      ? `stoppedAt ${normalize(stoppedAt)} is before the dose it stops was first given (${latest.startedAt}, its dose change): a dose cannot stop before it was given`
      : `stoppedAt ${normalize(stoppedAt)} is before the start it stops (${latest.startedAt}): a therapy cannot stop before it started`,
    ['software.recording'],
  );
}

function checkScreenings(context: EpisodeContext, drug: string): Check {
  const needed =
    (requiredScreenings as Record<string, readonly string[]>)[drug] ?? [];
  const missing = needed.filter(
    (kind) =>
      context.screenings[kind as keyof typeof context.screenings] === undefined,
  );
  if (missing.length > 0) {
    return blocked(
      `${drug} needs ${missing.map((kind) => subjectLabel(kind)).join(' and ')} recorded or overridden with a rationale first`,
      missing.flatMap(
        (kind) =>
          (screeningEvidence as Record<string, readonly string[]>)[kind] ?? [],
      ),
    );
  }
  return ok(`${drug}: required screenings recorded`);
}

const escalationEvidence = [
  'seed.second-line.1',
  'seed.refractory.1',
  'lit.emerald-nct05001737',
];

function checkRefractoryStart(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
): Check {
  const { drug } = event.payload;
  const evidence = therapyEvidence(drug);
  if (!prescribers.includes(event.actor.role)) {
    return blocked(
      `refractory therapy is started by a clinician, not by the ${event.actor.role} role`,
      ['review.section-10'],
    );
  }
  if (!isEscalationWarranted(context)) {
    return blocked(
      `${drug} is refractory therapy: it needs a recorded inadequate response or rapid worsening first`,
      [...evidence, ...escalationEvidence],
    );
  }
  const screenings = checkScreenings(context, drug);
  if (!screenings.ok) return screenings;
  if (!hasGlucocorticoidStarted(context)) {
    const beforeGlucocorticoid = needsRationale(
      event,
      `${drug} before any glucocorticoid (glucocorticoids are the cornerstone of first-line treatment); the alert stays active until one starts`,
      ['seed.lead', 'seed.initial.1', ...evidence],
    );
    if (!beforeGlucocorticoid.ok) return beforeGlucocorticoid;
  }
  const approved = context.escalationRequests.some(
    (r) => r.drug === drug && r.status === 'approved',
  );
  if (approved) {
    return ok(`${drug} approved by a second senior clinician`, evidence);
  }
  if (event.payload.emergency === true) {
    if (event.actor.role !== 'senior-clinician') {
      return blocked(
        'an emergency start of refractory therapy must be made by a senior clinician',
        ['review.section-10'],
      );
    }
    // A rejection stands against an emergency start of that drug: a new
    // request does not lift it (else re-requesting would undo another
    // senior's decision), nor does a reassessment (its verdict repeats what
    // warranted the request, and anyone may record one); a second senior's
    // approval of a new request does (the start is then no emergency).
    const decided = [...context.escalationRequests]
      .reverse()
      .find(
        (r) =>
          r.drug === drug &&
          (r.status === 'rejected' ||
            r.status === 'approved' ||
            r.status === 'started'),
      );
    const rejected = decided?.status === 'rejected' ? decided : undefined;
    if (rejected !== undefined) {
      return blocked(
        `${drug} was rejected by ${rejected.decidedBy?.id ?? 'a senior'}: an emergency start cannot override a rejection; a new request approved by a second senior clinician can`,
        ['review.section-10'],
      );
    }
    return needsRationale(
      event,
      'emergency start now; a second senior must countersign within the institution window',
      [...evidence, 'review.section-10'],
    );
  }
  const pending = context.escalationRequests.some(
    (r) => r.drug === drug && r.status === 'pending',
  );
  return blocked(
    pending
      ? `${drug} awaits approval by a second, different senior clinician (or start it as an emergency)`
      : `${drug} needs a request approved by a second, different senior clinician (four eyes), or an emergency start`,
    [...evidence, 'review.section-10'],
  );
}

function checkSecondLineStart(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
): Check {
  const { drug } = event.payload;
  const evidence = therapyEvidence(drug);
  if (drug === 'tocilizumab' && !isStillsDisease(context)) {
    return needsRationale(
      event,
      "tocilizumab is recommended in Still's disease-related MAS; this patient's underlying disease is " +
        context.patient.underlyingDisease,
      evidence,
    );
  }
  if (!hasGlucocorticoidStarted(context)) {
    return needsRationale(
      event,
      `${drug} before any glucocorticoid (glucocorticoids are the cornerstone of first-line treatment); the alert stays active until one starts`,
      ['seed.lead', 'seed.initial.1', ...evidence],
    );
  }
  if (isEscalationWarranted(context) || context.severe) {
    return ok(
      context.severe
        ? `${drug}: combination therapy is indicated up front in severe MAS`
        : `${drug}: escalation after an inadequate response or worsening`,
      [...evidence, 'seed.second-line.1', 'seed.second-line.5'],
    );
  }
  return needsRationale(
    event,
    `${drug} up front on a glucocorticoid background (early targeted therapy) without a recorded inadequate response, worsening or severity`,
    [...evidence, 'seed.emerging.1', 'seed.emerging.3'],
  );
}

function checkTherapyStart(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
): Check {
  const { drug } = event.payload;
  const therapyClass = therapyClassOf(drug);
  if (therapyClass !== 'glucocorticoid' && isActive(context, drug)) {
    // One course of a drug at a time: a new dose is recorded as such (the
    // running record stopped, the new dose started), never as a second
    // course beside the first.
    const running = activeTherapies(context).find((t) => t.drug === drug);
    return blocked(
      running?.background === true
        ? `${drug} is already active as background therapy (from before the episode): a higher dose of it is recorded as a dose increase of the background therapy, which is not an escalation`
        : `${drug} is already active${running ? ` (started at ${running.startedAt})` : ''}: to give another dose, stop it and record the new dose as a new start`,
      therapyEvidence(drug),
    );
  }
  switch (therapyClass) {
    case 'glucocorticoid':
      return ok(
        'glucocorticoids are never gated: possible in every open stage, repeat pulses included',
        [...therapyEvidence(drug), 'review.section-10'],
      );
    case 'second-line':
      return checkSecondLineStart(context, event);
    case 'refractory':
      return checkRefractoryStart(context, event);
    case 'ebv-directed': {
      if (!context.triggers.ebv) {
        return blocked(
          'rituximab is for EBV-associated MAS: record the EBV trigger first',
          therapyEvidence(drug),
        );
      }
      return checkScreenings(context, drug);
    }
  }
}

function checkApproval(
  context: EpisodeContext,
  event: EpisodeEventOf<'escalation.approved' | 'escalation.rejected'>,
): Check {
  const request = context.escalationRequests.find(
    (r) => r.requestId === event.payload.requestId,
  );
  const evidence = ['review.section-10'];
  if (!request) {
    return blocked(
      `no escalation request ${event.payload.requestId}`,
      evidence,
    );
  }
  if (request.status !== 'pending') {
    return blocked(
      `request ${request.requestId} is already ${request.status}`,
      evidence,
    );
  }
  if (event.actor.role !== 'senior-clinician') {
    return blocked(
      'only a senior clinician may approve or reject refractory therapy',
      evidence,
    );
  }
  if (event.actor.id === request.requestedBy.id) {
    return blocked(
      `${event.actor.id} made this request and cannot also decide it: a second, different senior clinician must (four eyes)`,
      evidence,
    );
  }
  // The decider reads the request as made: who asked, when, and why.
  const asked = `${request.drug} requested by ${request.requestedBy.id} at ${request.requestedAt}, because: ${request.rationale}`;
  return needsRationale(
    event,
    event.type === 'escalation.rejected'
      ? `a rejection states its reason (the request: ${asked})`
      : `an approval states its reason (four eyes: one record with the request: ${asked})`,
    evidence,
  );
}

/**
 * The clinical check of an event in the current context. Where the event may
 * happen in the statechart is the machine's business; this says whether it
 * may happen now, and why not.
 */
export function checkEvent(
  context: EpisodeContext,
  event: EpisodeEvent,
): Check {
  const who = checkRole(event);
  if (!who.ok) return who;
  const when = checkTimes(context, event);
  if (!when.ok) return when;
  return checkClinical(context, event);
}

function checkClinical(context: EpisodeContext, event: EpisodeEvent): Check {
  switch (event.type) {
    case 'clock.ticked':
      return ok('time moves on', ['seed.monitoring.1']);
    case 'labs.recorded': {
      const checked = checkPanel(
        event.payload.panel,
        'panel',
        event.payload.confirmUnusual,
      );
      const conflict = checked.ok ? sampleConflict(context, event) : null;
      if (conflict === null) return checked;
      if (!conflict.ok) return conflict;
      return {
        ...checked,
        reason: `${checked.reason}; ${conflict.reason}`,
        warnings: [...(checked.warnings ?? []), ...(conflict.warnings ?? [])],
      };
    }
    case 'suspicion.recorded':
      return ok('MAS suspected', ['seed.pitfalls.3', 'seed.pitfalls.1']);
    case 'workup.started':
      return ok('work-up started', ['seed.initial.3']);
    case 'diagnosis.confirmed': {
      const evidence = [
        'lit.ravelli-2016',
        'lit.fardet-2014',
        'lit.henter-2007',
      ];
      if (event.payload.basis === 'criteria') {
        return context.criteriaMetAt !== null
          ? ok(
              `classification criteria met on the panel of ${context.criteriaMetAt}`,
              evidence,
            )
          : blocked(
              `no panel of this episode meets classification criteria (2016, HScore >= ${masProtocolDefinition.hscore.cutoff.value}, HLH-2004): confirm on clinical grounds with a rationale`,
              evidence,
            );
      }
      return context.criteriaMetAt !== null
        ? ok('clinical diagnosis, criteria also met', evidence)
        : needsRationale(
            event,
            'a clinical diagnosis without met criteria (the 2016 criteria have a sensitivity of 0.73); it is flagged for audit',
            evidence,
          );
    }
    case 'diagnosis.excluded':
      return needsRationale(event, 'excluding MAS closes the episode', [
        'seed.pitfalls.3',
        'seed.pitfalls.4',
      ]);
    case 'severity.assessed':
      return ok('severity recorded', ['seed.pitfalls.4', 'seed.second-line.5']);
    case 'therapy.started': {
      const start = checkTherapyStart(context, event);
      if (!start.ok) {
        // The record's own problems too, said at once: a start is not
        // refused twice, one requirement at a time (an approval first, then
        // the schedule; an emergency start at 3 a.m. asked for its
        // rationale, then for its dose). What a rationale would allow,
        // with a dose that needs confirming: both asked for together.
        const dose = checkTherapyDose(context, event);
        if (dose.ok) return start;
        // (What only a corrected record mends, a dose past a hard limit or
        // a schedule the drug is not given on, is told first.)
        const both = {
          reason: dose.confirmationWouldAllow
            ? `${start.reason}; and ${dose.reason}`
            : `${dose.reason}; and ${start.reason}`,
          evidence: unique([...start.evidence, ...dose.evidence]),
          ...(dose.field === undefined ? {} : { field: dose.field }),
        };
        if (start.rationaleWouldAllow && dose.confirmationWouldAllow) {
          return { ...dose, ...both, rationaleWouldAllow: true };
        }
        // Confirming the dose would not allow it while the start is
        // refused: no confirmation offered.
        return { ok: false, ...both };
      }
      const dose = checkTherapyDose(context, event);
      // A course of the drug already running: said at once (a pulse
      // recorded twice), never refused (a glucocorticoid never is).
      // (A pulse recorded day by day, "day 2 of 3" as its own record,
      // continues its course: not a second one; it continues one course.)
      const running = runningBeside(
        context,
        event.payload.drug,
        event.payload.schedule,
        event.payload.givenAt,
      );
      // A pulse's day that its earlier days do not bear out (day 3 written
      // on the course's second day): said, never refused.
      const pulseDay = pulseDayProblem(
        context,
        event.payload.drug,
        event.payload.schedule,
        event.payload.givenAt,
      );
      const warnings = [
        ...(dose.warnings ?? []),
        ...(running.length > 0
          ? [
              `${event.payload.drug} is already running (${running.map(recordText).join('; ')}): if this is the same course, stop the duplicate record`,
            ]
          : []),
        ...(pulseDay === null ? [] : [pulseDay]),
      ];
      // Both reasons go to the audit: the clinical rule and the dose check
      // ("outside the dose range, confirmed by ..."), and the pulse's day.
      return dose.ok
        ? {
            ...start,
            reason: [
              start.reason,
              dose.reason,
              ...(pulseDay === null ? [] : [pulseDay]),
            ].join('; '),
            evidence: unique([...start.evidence, ...dose.evidence]),
            ...(warnings.length > 0 ? { warnings } : {}),
          }
        : dose;
    }
    case 'other-therapy.started':
      return checkOtherTherapy(context, event);
    case 'other-therapy.stopped': {
      const record = context.otherTherapies.find(
        (t) =>
          t.recordId === event.payload.recordId && t.stoppedAt === undefined,
      );
      if (!record) {
        return blocked(`no active other therapy ${event.payload.recordId}`, [
          'software.recording',
        ]);
      }
      return (
        stopBeforeStart(event.payload.stoppedAt, [record]) ??
        ok(`${event.payload.recordId} stopped`, ['software.recording'])
      );
    }
    case 'therapy.stopped': {
      const { drug } = event.payload;
      if (!isActive(context, drug)) {
        return blocked(`${drug} is not active`, therapyEvidence(drug));
      }
      // One record (or one course recorded day by day), named by its start
      // when the drug runs twice.
      const named = namedRecords(context, drug, event.payload.startedAt);
      if ('reason' in named) {
        return {
          ...blocked(named.reason, ['software.recording']),
          ...(named.field === undefined ? {} : { field: named.field }),
        };
      }
      const { records } = named;
      return (
        stopBeforeStart(
          event.payload.stoppedAt,
          // A background therapy's start is when it was entered, not when
          // the patient began it: no stop time is refused against it. A
          // course whose dose changed is given from its last change.
          records
            .filter((record) => !record.background)
            .map((record) => ({
              startedAt: currentDoseSince(record),
              doseChange: (record.doseChanges?.length ?? 0) > 0,
            })),
        ) ??
        ok(
          `${drug} stopped (${records.map((record) => `the record ${recordText(record)}`).join('; ')})`,
          therapyEvidence(drug),
        )
      );
    }
    case 'therapy.dose-changed':
      return checkDoseChange(context, event);
    case 'background-therapy.recorded': {
      const evidence = ['review.section-10'];
      if (
        event.payload.doseIncreased === true &&
        !activeTherapies(context).some(
          (t) => t.drug === event.payload.drug && t.background,
        )
      ) {
        return blocked(
          `${event.payload.drug} is not recorded as background therapy: record it before a dose increase`,
          evidence,
        );
      }
      if (
        event.payload.doseIncreased !== true &&
        isActive(context, event.payload.drug)
      ) {
        return blocked(`${event.payload.drug} is already active`, evidence);
      }
      if (context.suspicionAt !== null) {
        return needsRationale(
          event,
          'background therapy recorded after suspicion is not counted as escalation, so say why it predates the episode',
          evidence,
        );
      }
      return ok(
        'background therapy from before the episode (or its dose increase) is not an escalation',
        evidence,
      );
    }
    case 'escalation.requested': {
      const { drug, evidence: cited } = event.payload;
      if (event.actor.role !== 'senior-clinician') {
        return blocked(
          'refractory therapy is requested by a senior clinician and approved by a second, different one',
          ['review.section-10'],
        );
      }
      if (
        context.escalationRequests.some(
          (r) => r.requestId === event.payload.requestId,
        )
      ) {
        return blocked(
          `request id ${event.payload.requestId} is already used`,
          ['review.section-10'],
        );
      }
      const unknown = cited.filter((id) => findEvidence(id) === undefined);
      if (unknown.length > 0) {
        return blocked(`unknown evidence entries: ${unknown.join(', ')}`, [
          'review.section-10',
        ]);
      }
      if (!isEscalationWarranted(context)) {
        return blocked(
          `${drug} is refractory therapy: it needs a recorded inadequate response or rapid worsening first`,
          [...therapyEvidence(drug), ...escalationEvidence],
        );
      }
      if (
        context.escalationRequests.some(
          (r) =>
            r.drug === drug &&
            (r.status === 'pending' || r.status === 'approved'),
        )
      ) {
        return blocked(`a request for ${drug} is already open`, [
          'review.section-10',
        ]);
      }
      if (isActive(context, drug)) {
        return blocked(`${drug} is already active`, therapyEvidence(drug));
      }
      return needsRationale(
        event,
        'a refractory-therapy request states its reason',
        [...therapyEvidence(drug), 'review.section-10'],
      );
    }
    case 'escalation.approved':
    case 'escalation.rejected':
      return checkApproval(context, event);
    case 'escalation.countersigned': {
      const start = openEmergencyStart(context, event.payload.drug);
      const evidence = ['review.section-10'];
      if (!start) {
        return blocked(
          `no emergency start of ${event.payload.drug} awaits countersignature`,
          evidence,
        );
      }
      if (event.actor.role !== 'senior-clinician') {
        return blocked('only a senior clinician may countersign', evidence);
      }
      if (event.actor.id === start.startedBy.id) {
        return blocked(
          `${event.actor.id} started it and cannot countersign: a second, different senior clinician must (four eyes)`,
          evidence,
        );
      }
      return ok('countersigned by a second senior clinician', evidence);
    }
    case 'screening.recorded': {
      const evidence =
        (screeningEvidence as Record<string, readonly string[]>)[
          event.payload.kind
        ] ?? [];
      return event.payload.result === 'overridden'
        ? needsRationale(event, `overriding ${event.payload.kind}`, evidence)
        : ok(`${event.payload.kind} recorded`, evidence);
    }
    case 'trigger.identified':
      return event.payload.ebvCellType !== undefined &&
        event.payload.trigger !== 'ebv'
        ? blocked('ebvCellType applies only to the EBV trigger', [
            'seed.refractory.4',
          ])
        : ok(`${event.payload.trigger} trigger recorded`, [
            'seed.subtype.2',
            'seed.subtype.3',
            'seed.refractory.4',
          ]);
    case 'antimicrobials.started':
      return ok(
        'antimicrobials are never gated: possible in every open stage, before the diagnosis too',
        ['seed.subtype.3', 'seed.pitfalls.2', 'review.section-10'],
      );
    case 'antimicrobials.stopped':
      return context.antimicrobialsActive
        ? ok('antimicrobials stopped', ['seed.subtype.3'])
        : blocked('no antimicrobials are active', ['seed.subtype.3']);
    case 'decision.recorded':
      return needsRationale(
        event,
        'a recorded decision states its reason',
        event.payload.topic === 'cns-dexamethasone'
          ? ['seed.initial.2']
          : ['seed.subtype.3', 'review.section-10'],
      );
    case 'malignancy-treatment.started':
      return context.triggers.malignancy
        ? ok('treatment of the underlying malignancy', ['seed.subtype.2'])
        : blocked('no malignancy is recorded as a trigger', ['seed.subtype.2']);
    case 'support.started':
      return context.support.includes(event.payload.kind)
        ? blocked(`${event.payload.kind} is already active`, [
            'seed.supportive.1',
          ])
        : ok(
            'supportive care is never gated: possible in every open stage',
            organSupportKinds.includes(event.payload.kind)
              ? ['seed.supportive.1', 'review.section-10']
              : ['seed.supportive.2', 'seed.supportive.3', 'review.section-10'],
          );
    case 'support.stopped':
      return context.support.includes(event.payload.kind)
        ? ok(`${event.payload.kind} stopped`, ['seed.supportive.1'])
        : blocked(`${event.payload.kind} is not active`, ['seed.supportive.1']);
    case 'reassessment.recorded': {
      const checked = checkPanel(
        event.payload.panel,
        'panel',
        event.payload.confirmUnusual,
      );
      const { reassessmentIntervalHours } = masProtocolDefinition.monitoring;
      // (One with nothing at all, no value, finding or clinical status, is
      // refused by the contract, naming the panel.)
      const fresh = reassessmentSample(event);
      // A clinical reassessment without a laboratory value, or one judged
      // on a sample older than the reassessment interval, is taken (the
      // clinician decides), and said.
      const age = hoursBetween(event.payload.collectedAt, event.at);
      const warning =
        fresh === 'no-values'
          ? 'this reassessment records no laboratory value: the laboratory response is not judged again (the last verdict stands), and the laboratory results keep their own due time'
          : fresh === 'stale'
            ? `the sample of this reassessment was drawn ${String(Math.round(age))} h before it was recorded (${event.payload.collectedAt}), longer ago than the ${String(reassessmentIntervalHours)} h reassessment interval: the response is judged on labs that may no longer show the patient as they are; a new sample is due`
            : null;
      const panel: Check =
        checked.ok && warning !== null
          ? {
              ...checked,
              warnings: [warning],
              reason:
                fresh === 'stale'
                  ? `${checked.reason}; sample older than the reassessment interval (${String(Math.round(age))} h)`
                  : `${checked.reason}; no laboratory value`,
            }
          : checked;
      if (!panel.ok) return panel;
      const conflict = sampleConflict(context, event);
      if (conflict !== null && !conflict.ok) return conflict;
      if (event.payload.clinicalJudgement === undefined) return panel;
      if (event.actor.role !== 'senior-clinician') {
        return blocked(
          'a response is judged inadequate on clinical grounds by a senior clinician',
          ['seed.second-line.1', 'review.section-10'],
        );
      }
      return needsRationale(
        event,
        'a response judged inadequate on clinical grounds (against the laboratory trend) states its reason',
        ['seed.second-line.1', 'seed.refractory.1'],
      );
    }
    case 'hold.started':
      return ok(
        'on hold; the reassessment of a patient on immunosuppression is never paused',
        ['review.section-10'],
      );
    case 'hold.ended':
      return ok('hold ended', ['review.section-10']);
    case 'remission.recorded':
      return context.lastResponse?.verdict === 'responding'
        ? ok('remission after a response', ['seed.monitoring.3'])
        : needsRationale(
            event,
            'remission without a "responding" verdict on the latest reassessment',
            ['seed.monitoring.3'],
          );
    case 'taper.started':
      return ok('taper started', ['review.section-10']);
    case 'relapse.recorded':
      return ok('relapse: back to active treatment, timers restart', [
        'review.section-10',
      ]);
    case 'death.recorded':
      return ok('outcome recorded', ['seed.lead']);
    case 'transfer-out.recorded':
      return ok('transferred out of this service', ['seed.supportive.1']);
    case 'measures.recorded': {
      // Impossible figures throw (a 400 naming the field, as at admission);
      // unusual ones (a likely unit slip) need the recorder's confirmation.
      // A weight far from the one held, or one that does not fit the
      // height, is a likely slip too: doses are computed from it (a figure
      // measured before the one held is not: it is not asked about so).
      const { weightKg, heightCm, confirmUnusual = [] } = event.payload;
      const recorded = {
        ...(weightKg === undefined ? {} : { weightKg }),
        ...(heightCm === undefined ? {} : { heightCm }),
      };
      // A figure measured before the one held is kept in the record, not
      // used: said, never refused (it is what was measured then).
      const { taken, older } = measuresTaken(context, event.payload, event.at);
      const open = [
        ...checkPatientMeasures(recorded, event.at).unusual,
        ...unusualMeasureChange(context.patient, taken),
      ].filter(
        (item, index, all) =>
          !(confirmUnusual as readonly string[]).includes(item.field) &&
          // One confirmation per field: the first reason for it is named.
          all.findIndex((other) => other.field === item.field) === index,
      );
      if (open.length > 0) {
        return {
          ok: false,
          // (Each message names its measure in words; the form reads
          // the fields from unusualFields.)
          reason: `unusual values, confirm each (confirmUnusual) or correct it: ${open.map((item) => item.message).join('; ')}`,
          evidence: unique(open.flatMap((item) => item.evidence)),
          unusualFields: open.map((item) => item.field),
        };
      }
      const was = context.patient;
      const changes = [
        taken.weightKg === undefined
          ? null
          : `weight ${was.weightKg} -> ${taken.weightKg} kg`,
        taken.heightCm === undefined
          ? null
          : `height ${was.heightCm} -> ${taken.heightCm} cm`,
      ].filter((part) => part !== null);
      const used =
        changes.length > 0
          ? `new measures: ${changes.join(', ')}; later dose checks use them`
          : 'measures recorded';
      return {
        ...ok([used, ...older].join('; '), [
          'software.plausibility',
          'software.recording',
        ]),
        ...(older.length > 0 ? { warnings: older } : {}),
      };
    }
    case 'episode.closed':
      return ok('episode closed after remission', ['seed.monitoring.3']);
    case 'protocol.migrated':
      return checkMigration(context, event, migrationPlans);
    case 'profile.adopted':
      return checkProfileAdoption(context, event);
  }
}

/** Whether version `a` comes after `b` (numbers compared part by part). */
export function laterVersion(a: string, b: string): boolean {
  return compareVersions(a, b) > 0;
}

/**
 * A later version of the episode's institution profile for the events that
 * follow (never another institution's, never an earlier one): a valid profile
 * file for this protocol, whose content hash is the one named, that holds
 * every value an episode needs, and that differs from the one the episode
 * runs under.
 */
export function checkProfileAdoption(
  context: EpisodeContext,
  event: EpisodeEventOf<'profile.adopted'>,
): Check {
  const evidence = ['software.recording'];
  let profile;
  try {
    profile = parseInstitutionProfile(event.payload.profile);
    checkProfileForEpisode(profile);
  } catch (error) {
    if (error instanceof ClinicalInputError) {
      return blocked(
        `the institution profile is not usable: ${error.message}`,
        evidence,
      );
    }
    throw error;
  }
  if (profile.hash !== event.payload.hash) {
    return blocked(
      `the profile file's content hash is ${profile.hash}, not ${event.payload.hash}`,
      evidence,
    );
  }
  if (profile.hash === context.profile.hash) {
    return blocked(
      `the episode already runs under this profile (${profile.data.profileId} ${profile.data.version})`,
      evidence,
    );
  }
  if (profile.data.profileId !== context.profile.id) {
    return blocked(
      `the episode runs under the profile ${context.profile.id}, not ${profile.data.profileId}: another institution's profile is never adopted`,
      evidence,
    );
  }
  if (!laterVersion(profile.data.version, context.profile.version)) {
    return blocked(
      `profile version ${profile.data.version} does not come after ${context.profile.version}, the one the episode runs under: a profile is never moved back`,
      evidence,
    );
  }
  return ok(
    `institution profile ${profile.data.profileId} ${profile.data.version} adopted for the events that follow`,
    evidence,
  );
}

/**
 * A move to another protocol version: from the version the episode runs
 * under, by a plan this build ships, named by its hash (an edited or unknown
 * plan is refused). The target must be a version the build knows; that it
 * is deployed is the service's check when it records the move (a replay
 * keeps applying a move to a version since retired).
 */
export function checkMigration(
  context: EpisodeContext,
  event: EpisodeEventOf<'protocol.migrated'>,
  plans: readonly MigrationPlan[],
): Check {
  const evidence = ['software.recording'];
  const { fromVersion, toVersion, planHash } = event.payload;
  if (fromVersion !== context.protocol.version) {
    return blocked(
      `the episode runs under protocol version ${context.protocol.version}, not ${fromVersion}`,
      evidence,
    );
  }
  if (toVersion === fromVersion) {
    return blocked(
      `the episode already runs under protocol version ${toVersion}`,
      evidence,
    );
  }
  if (findProtocolVersion(toVersion) === undefined) {
    return blocked(
      `protocol version ${toVersion} is not one this build knows (${protocolVersions.map((v) => v.version).join(', ')})`,
      evidence,
    );
  }
  const plan = findMigrationPlanByHash(planHash, plans);
  if (plan === undefined) {
    const shipped = findMigrationPlan(fromVersion, toVersion, plans);
    return blocked(
      shipped === undefined
        ? `no proven migration plan leads from protocol version ${fromVersion} to ${toVersion}`
        : `the plan named (${planHash}) is not the proven plan from ${fromVersion} to ${toVersion} (${migrationPlanHash(shipped)})`,
      evidence,
    );
  }
  if (plan.from !== fromVersion || plan.to !== toVersion) {
    return blocked(
      `the plan named leads from ${plan.from} to ${plan.to}, not from ${fromVersion} to ${toVersion}`,
      evidence,
    );
  }
  if (!event.rationale) {
    return blocked('a protocol migration needs a rationale', evidence, true);
  }
  return ok(
    `moved from protocol version ${fromVersion} to ${toVersion} by the proven plan`,
    [...evidence, ...plan.evidence],
  );
}
