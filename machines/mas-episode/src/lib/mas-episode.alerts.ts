/**
 * Alerts are derived from the context after every event: one pure function,
 * so an alert is active exactly while its condition holds. Alerts never
 * block; a clinician answers them by acting or by recording a decision.
 */
import { organSupportKinds } from '@mas/contracts';
import {
  type DoseCheck,
  masProtocolDefinition,
  type PanelItemId,
  panelItemIds,
  panelItemLabel,
} from '@mas/protocol';

import {
  activeTherapies,
  hasEverStarted,
  hasGlucocorticoidStarted,
  isActive,
  isImmunosuppressed,
} from './mas-episode.checks.js';
import type {
  Alert,
  AlertId,
  AlertLogEntry,
  EpisodeContext,
  TherapyRecord,
} from './mas-episode.types.js';
import {
  continuedRecords,
  currentDoseSince,
  doseOutsideNow,
  givesMoreDoses,
  recordText,
  scheduleEndsAt,
} from './therapy-record.util.js';

type Candidate = Omit<Alert, 'since'>;

function due(context: EpisodeContext, id: string) {
  return context.dues[id];
}

function hasFired(context: EpisodeContext, id: string): boolean {
  const state = due(context, id);
  return state?.firedAt != null && state.dueAt !== null;
}

/**
 * Active therapies whose recorded dose fell outside a soft limit of the dose
 * rules and was confirmed by the prescriber (a dose above a hard limit is
 * never recorded): an alert for as long as the therapy runs, naming the limit
 * and who confirmed it. Doses are never clamped.
 */
/**
 * The glucocorticoids running that were recorded after the remission (by
 * the order of the records, not by their clock times).
 */
export function startedInRemission(context: EpisodeContext): TherapyRecord[] {
  const { remission } = context;
  if (!context.inRemission || remission === undefined) return [];
  return context.therapies
    .slice(remission.therapiesBefore)
    .filter(
      (t) =>
        !t.background &&
        t.therapyClass === 'glucocorticoid' &&
        t.stoppedAt === undefined,
    );
}

/** Each drug running under two or more records given in the episode, in words. */
function drugsRecordedTwice(context: EpisodeContext): string[] {
  const running = activeTherapies(context);
  // A record a later one continues (a pulse recorded day by day) is the
  // same course.
  const continued = continuedRecords(running);
  const byDrug = new Map<string, TherapyRecord[]>();
  for (const therapy of running) {
    if (therapy.background || continued.has(therapy)) continue;
    byDrug.set(therapy.drug, [...(byDrug.get(therapy.drug) ?? []), therapy]);
  }
  return [...byDrug.entries()]
    .filter(([, records]) => records.length > 1)
    .map(
      ([drug, records]) =>
        `${drug} has ${records.length} running records (${records.map(recordText).join('; ')})`,
    );
}

function doseProblems(context: EpisodeContext): {
  /** Doses confirmed outside their limits. */
  readonly outside: string[];
  /** What the rules flag beside the limits (the renal label, ...). */
  readonly flagged: string[];
  readonly evidence: string[];
} {
  const outside: string[] = [];
  const flagged: string[] = [];
  const evidence: string[] = [];
  for (const therapy of activeTherapies(context)) {
    const check = therapy.doseCheck;
    if (check === undefined) continue;
    if (check.tier === 'soft') {
      // Named once: a limit's message names its drug already.
      const messages = check.messages.join('; ');
      outside.push(
        `${messages.startsWith(therapy.drug) ? '' : `${therapy.drug}: `}${messages} (outside range, confirmed by ${check.confirmedBy?.id ?? 'the prescriber'}: ${check.confirmation ?? ''})`,
      );
    }
    for (const alert of check.alerts ?? []) {
      if (alert.id === 'anakinra-standard-dose') continue;
      // Each names its drug (two may run at once).
      flagged.push(
        alert.message.startsWith(therapy.drug)
          ? alert.message
          : `${therapy.drug}: ${alert.message}`,
      );
      evidence.push(...alert.evidence);
    }
  }
  return { outside, flagged, evidence };
}

/**
 * What a check found, gravest first and only that: past a hard limit, the
 * hard limits (each names the soft limit it multiplies), not the soft ones
 * again. (A check's messages are one per exceeded limit, hard ones first;
 * each names its drug and dose.)
 */
function gravestMessages(check: DoseCheck): readonly string[] {
  if (check.tier !== 'hard') return check.messages;
  const hard = check.limits.filter(
    (limit) => limit.tier === 'hard' && limit.checked && limit.exceeded,
  ).length;
  return hard > 0 ? check.messages.slice(0, hard) : check.messages;
}

/** Why a therapy's dose was not checked, in words. */
function uncheckedReason(therapy: TherapyRecord): string {
  const messages = therapy.doseCheck?.messages ?? [];
  return messages.length > 0 ? messages.join('; ') : 'no rule applies';
}

/** Dose alerts of the records themselves (e.g. anakinra at a standard dose). */
function recordAlerts(context: EpisodeContext) {
  return activeTherapies(context).flatMap(
    (therapy) => therapy.doseCheck?.alerts ?? [],
  );
}

/** Every alert whose condition holds in `context`. */
export function alertCandidates(context: EpisodeContext): Candidate[] {
  const alerts: Candidate[] = [];
  const add = (
    id: AlertId,
    severity: Alert['severity'],
    message: string,
    evidence: readonly string[],
  ) => {
    alerts.push({ id, severity, message, evidence });
  };

  if (
    context.suspicionAt === null &&
    context.unrecognisedSuggestiveAt !== null
  ) {
    add(
      'mas-not-considered',
      'critical',
      `A panel of ${context.unrecognisedSuggestiveAt} pointed to MAS${context.lastScreen?.suggestive ? ` (${context.lastScreen.reasons.join('; ')})` : ''} but no suspicion is recorded.`,
      ['seed.pitfalls.3', 'seed.pitfalls.1', 'review.section-10'],
    );
  }
  if (
    hasFired(context, 'glucocorticoidStart') &&
    !hasGlucocorticoidStarted(context)
  ) {
    // (Worded by times that stay put, not by the hours elapsed: an alert's
    // words changing at every event would reopen its work item each time.)
    const limit = context.dues.glucocorticoidStart?.dueAt;
    add(
      'glucocorticoid-delayed',
      'critical',
      `No glucocorticoid since suspicion${context.suspicionAt ? ` at ${context.suspicionAt}` : ''}: the institution's limit passed${limit ? ` at ${limit}` : ''}.`,
      ['seed.initial.3', 'seed.pitfalls.1'],
    );
  }
  if (
    context.cnsInvolvement &&
    !hasEverStarted(context, 'dexamethasone') &&
    context.decisions['cns-dexamethasone'] === undefined
  ) {
    add(
      'cns-without-dexamethasone',
      'warning',
      'CNS involvement: consider dexamethasone (it crosses the blood-brain barrier better), or record why not.',
      ['seed.initial.2', 'review.section-10'],
    );
  }
  if (
    context.triggers.infection &&
    !context.antimicrobialsActive &&
    context.decisions['infection-antimicrobials'] === undefined
  ) {
    add(
      'infection-without-antimicrobials',
      'critical',
      'Infection-triggered MAS without antimicrobials: start them alongside immunosuppression, or record the decision (e.g. no specific antimicrobial for a viral trigger).',
      ['seed.subtype.3', 'seed.pitfalls.2', 'review.section-10'],
    );
  }
  if (context.triggers.malignancy && !context.malignancyTreatmentStarted) {
    add(
      'malignancy-not-treated',
      'warning',
      'Malignancy-associated MAS: treatment should target the malignancy too.',
      ['seed.subtype.2'],
    );
  }
  if (
    hasFired(context, 'reassessment') &&
    (isImmunosuppressed(context) ||
      (context.hold === null &&
        context.suspicionAt !== null &&
        !context.inRemission))
  ) {
    add(
      'reassessment-overdue',
      'critical',
      `Clinical reassessment overdue (due ${due(context, 'reassessment')?.dueAt ?? ''}): at least every ${masProtocolDefinition.monitoring.reassessmentIntervalHours} hours.`,
      ['seed.monitoring.1'],
    );
  }
  if (hasFired(context, 'labs') && isImmunosuppressed(context)) {
    add(
      'labs-overdue',
      'warning',
      `Monitoring labs overdue (due ${due(context, 'labs')?.dueAt ?? ''}).`,
      ['seed.monitoring.2', 'lit.jordan-2011'],
    );
  }
  if (context.missingMonitoringItems.length > 0) {
    add(
      'monitoring-incomplete',
      'warning',
      `The latest reassessment lacks: ${context.missingMonitoringItems.map((item) => monitoringItemLabel(item)).join(', ')}.`,
      ['seed.monitoring.2'],
    );
  }
  const organSupport = context.support.some((kind) =>
    organSupportKinds.includes(kind),
  );
  if (
    (organSupport || context.cnsInvolvement || context.hemorrhage) &&
    !context.severe
  ) {
    const why = [
      organSupport ? 'organ support' : '',
      context.cnsInvolvement ? 'CNS involvement' : '',
      context.hemorrhage ? 'haemorrhage' : '',
    ].filter(Boolean);
    add(
      'severity-underestimated',
      'critical',
      `${why.join(', ')} but the episode is not marked severe.`,
      ['seed.pitfalls.4', 'seed.second-line.5'],
    );
  }
  if (
    !hasGlucocorticoidStarted(context) &&
    activeTherapies(context).some(
      (t) => t.beforeGlucocorticoid && !t.background,
    )
  ) {
    add(
      'second-line-before-glucocorticoid',
      'warning',
      'Second-line or refractory therapy is active but no glucocorticoid has started.',
      ['seed.lead', 'seed.initial.1'],
    );
  }
  const lapsed = context.emergencyStarts.filter(
    (s) =>
      s.countersignedBy === undefined &&
      hasFired(context, `countersignature:${s.id}`),
  );
  if (lapsed.length > 0) {
    add(
      'countersignature-overdue',
      'critical',
      `Emergency start of ${lapsed.map((s) => s.drug).join(', ')} not countersigned by a second senior within the window.`,
      ['review.section-10'],
    );
  }
  const verdict = context.lastResponse?.verdict;
  const since = context.lastResponse?.at;
  const escalatedSince = context.therapies.some(
    (t) =>
      !t.background &&
      t.therapyClass !== 'glucocorticoid' &&
      (since === undefined || t.startedAt >= since),
  );
  if (
    (verdict === 'inadequate' ||
      verdict === 'worsening' ||
      context.rapidlyWorsening) &&
    !escalatedSince
  ) {
    add(
      'escalation-indicated',
      verdict === 'worsening' || context.rapidlyWorsening
        ? 'critical'
        : 'warning',
      `Response ${verdict ?? 'not assessed'}${context.rapidlyWorsening ? ', rapidly worsening' : ''}: consider escalation (ciclosporin, high-dose anakinra, combinations; refractory therapy).`,
      ['seed.second-line.1', 'seed.second-line.5'],
    );
  }
  if (
    isActive(context, 'rituximab') &&
    context.triggers.ebvCellType === 'T/NK'
  ) {
    add(
      'rituximab-ebv-t-nk',
      'warning',
      'EBV is in T/NK cells: no benefit of rituximab was seen in that setting.',
      ['lit.chellapandian-2013', 'review.section-10'],
    );
  }
  if (context.clinicalDiagnosisWithoutCriteria) {
    add(
      'clinical-diagnosis-without-criteria',
      'info',
      'MAS confirmed on clinical grounds without met classification criteria (flagged for audit).',
      ['lit.ravelli-2016'],
    );
  }
  const problems = doseProblems(context);
  if (problems.outside.length > 0 || problems.flagged.length > 0) {
    add(
      'dose-outside-rule',
      'warning',
      // One full stop, whether or not the last part ends with its own. A
      // flag alone (a dose within its limits) is not called outside them.
      `Recorded dose ${problems.outside.length > 0 ? 'outside' : 'flagged by'} the dose rules: ${[
        ...problems.outside,
        ...problems.flagged,
      ]
        .join('; ')
        .replace(/\.$/, '')}.`,
      [
        ...new Set([
          'seed.initial.1',
          'seed.second-line.3',
          'seed.second-line.4',
          'review.section-10',
          ...problems.evidence,
        ]),
      ],
    );
  }
  // A running dose that the patient's current measures put outside the
  // limits (a weight corrected after the dose was computed from it): the
  // record keeps its own check, the ward is told until it is reviewed (the
  // dose changed, or the course stopped).
  // A pulse whose last infusion is given (stopped or not) has no dose left
  // to change: past a hard limit it is told apart, as a warning until the
  // course's stop is recorded (if the weight or height was wrong when its
  // doses were worked out, they were given past the limit); past a soft
  // limit, not told. A single dose is given and done; a pulse day that a
  // later day's record continues is that course's, told once by its latest
  // record.
  const running = activeTherapies(context);
  const continued = continuedRecords(running);
  const outsideNow: { therapy: TherapyRecord; check: DoseCheck }[] = [];
  const givenPast: { therapy: TherapyRecord; check: DoseCheck }[] = [];
  for (const therapy of running) {
    if (continued.has(therapy) || therapy.schedule?.kind === 'once') continue;
    const toGive = givesMoreDoses(therapy, context.now);
    if (!toGive && therapy.schedule?.kind !== 'pulse') continue;
    const check = doseOutsideNow(context, therapy);
    if (check === null) continue;
    if (toGive) outsideNow.push({ therapy, check });
    else if (check.tier === 'hard') givenPast.push({ therapy, check });
  }
  const { weightKg, heightCm } = context.patient;
  const measuresNow = `at the current weight of ${String(weightKg)} kg and height of ${String(heightCm)} cm`;
  const limitsOf = (check: DoseCheck) =>
    gravestMessages(check).join('; ').replace(/\.$/, '');
  if (outsideNow.length > 0) {
    add(
      'dose-outside-limits-now',
      outsideNow.some(({ check }) => check.tier === 'hard')
        ? 'critical'
        : 'warning',
      `${outsideNow
        .map(
          ({ therapy, check }) =>
            `${limitsOf(check)} (${therapy.doseChanges?.length ? `the dose since ${currentDoseSince(therapy)}` : `started ${therapy.startedAt}`}, ${therapy.doseCheck?.tier === 'soft' ? 'confirmed outside its range' : 'within the limits'} then)`,
        )
        .join(
          '; ',
        )}, ${measuresNow}. Review the dose: change it, or stop the course.`,
      ['seed.initial.1', 'software.recording', 'review.section-10'],
    );
  }
  if (givenPast.length > 0) {
    add(
      'dose-given-outside-limits-now',
      'warning',
      `${givenPast
        .map(
          ({ therapy, check }) =>
            `${limitsOf(check)} (${recordText(therapy)}, its last infusion ${scheduleEndsAt(therapy) ?? ''})`,
        )
        .join(
          '; ',
        )}, ${measuresNow}. No dose is left to change; if the weight or height was wrong when the doses were worked out, they were given past the limit: review the patient, and record the course's stop.`,
      ['seed.initial.1', 'software.recording', 'review.section-10'],
    );
  }
  // A dose the rules could not check (an institution figure not set): the
  // ward is told for as long as it runs, with what is missing.
  const unchecked = activeTherapies(context).filter(
    (therapy) => therapy.doseCheck?.tier === 'unchecked',
  );
  if (unchecked.length > 0) {
    add(
      'dose-not-checked',
      'warning',
      `Recorded dose not checked against the dose rules: ${unchecked
        .map((therapy) => `${therapy.drug}: ${uncheckedReason(therapy)}`)
        .join('; ')
        .replace(
          /\.$/,
          '',
        )}. Check it by hand; the institution profile should set the figure.`,
      ['review.section-10'],
    );
  }
  const standardAnakinra = recordAlerts(context).filter(
    (alert) => alert.id === 'anakinra-standard-dose',
  );
  if (standardAnakinra.length > 0) {
    add(
      'anakinra-standard-dose',
      'warning',
      standardAnakinra.map((alert) => alert.message).join(' '),
      [...new Set(standardAnakinra.flatMap((alert) => alert.evidence))],
    );
  }
  // The same drug running under two records given in the episode: a course
  // recorded twice, or a new course over one no longer given.
  const twice = drugsRecordedTwice(context);
  if (twice.length > 0) {
    add(
      'therapy-recorded-twice',
      'warning',
      `${twice.join('; ')}: if a course was recorded twice, or an earlier course is no longer given, stop that record (each is named by its start).`,
      ['software.recording', 'review.section-10'],
    );
  }
  // A glucocorticoid started after the remission was recorded: most often
  // a relapse, which restarts treatment and its timers only once recorded.
  const afterRemission = startedInRemission(context);
  if (afterRemission.length > 0) {
    add(
      'glucocorticoid-in-remission',
      'warning',
      `${afterRemission.map((t) => `${t.drug} started ${t.startedAt}`).join('; ')}, after the remission recorded ${context.remission?.at ?? ''}: if MAS has relapsed, record the relapse (treatment resumes and the 12-hourly reassessment restarts).`,
      ['seed.monitoring.3', 'review.section-10'],
    );
  }
  // Treatment started, then every course stopped, while MAS is suspected or
  // confirmed and neither in remission nor ended: the board would still
  // read as if on treatment.
  if (
    context.outcome === null &&
    context.suspicionAt !== null &&
    hasGlucocorticoidStarted(context) &&
    !context.inRemission &&
    !isImmunosuppressed(context)
  ) {
    const last = context.therapies
      .filter((t) => !t.background && t.stoppedAt !== undefined)
      .reduce<TherapyRecord | undefined>(
        (latest, t) =>
          latest === undefined || (t.stoppedAt ?? '') > (latest.stoppedAt ?? '')
            ? t
            : latest,
        undefined,
      );
    add(
      'no-treatment-running',
      'warning',
      `No MAS treatment running${last ? `: ${last.drug}, the last, stopped ${last.stoppedAt ?? ''}` : ''}. If MAS is still active, restart treatment; if it is in remission, or MAS is excluded, record that.`,
      ['seed.initial.1', 'seed.monitoring.1', 'review.section-10'],
    );
  }
  if (context.tocilizumabGiven) {
    add(
      'criteria-masked-by-tocilizumab',
      'info',
      'Tocilizumab given in this episode (it acts for weeks): fever and CRP are masked, the 2016 criteria are not applicable, and fever/CRP are left out of the response rule.',
      ['lit.shimizu-2020', 'review.section-10'],
    );
  }
  return alerts;
}

/** Active alerts, keeping the time each was first raised. */
export function deriveAlerts(context: EpisodeContext): Alert[] {
  const previous = new Map(context.alerts.map((a) => [a.id, a]));
  // Object.assign, not a spread followed by a new key (V8's slow path;
  // every alert of every event): the same keys in the same order.
  return alertCandidates(context).map((candidate) =>
    Object.assign({}, candidate, {
      since: previous.get(candidate.id)?.since ?? context.now,
    }),
  );
}

/** The log of raised and cleared alerts. */
export function refreshAlertLog(
  log: readonly AlertLogEntry[],
  before: readonly Alert[],
  after: readonly Alert[],
  now: string,
): AlertLogEntry[] {
  const beforeIds = new Set(before.map((a) => a.id));
  const afterIds = new Set(after.map((a) => a.id));
  const next = log.map((entry) =>
    entry.clearedAt === undefined &&
    beforeIds.has(entry.id) &&
    !afterIds.has(entry.id)
      ? { ...entry, clearedAt: now }
      : entry,
  );
  for (const alert of after) {
    if (!beforeIds.has(alert.id)) {
      next.push({
        id: alert.id,
        raisedAt: now,
        severity: alert.severity,
        message: alert.message,
      });
    }
  }
  return next;
}

/** A monitoring item as clinicians name it (Haemoglobin, AST), else as kept. */
function monitoringItemLabel(item: string): string {
  return (panelItemIds as readonly string[]).includes(item)
    ? panelItemLabel(item as PanelItemId)
    : item;
}
