/**
 * How each event changes the episode's context: pure functions of
 * (context, event). The machine's `assign` actions call `applyEvent`.
 * Time moves only with the events' `at`.
 */
import type { EpisodeEvent, EpisodeEventOf } from '@mas/contracts';
import {
  analyteIds,
  ClinicalInputError,
  deployedProtocolVersion,
  type DueTimeDefinition,
  knownProtocolVersion,
  type LabPanelInput,
  type LabPicture,
  masProtocol,
  masProtocolDefinition,
  panelHasItems,
  parseInstitutionProfile,
} from '@mas/protocol';

import { deriveAlerts, refreshAlertLog } from './mas-episode.alerts.js';
import {
  hasGlucocorticoidStarted,
  isImmunosuppressed,
  openEmergencyStart,
  reassessmentSample,
  therapyClassOf,
} from './mas-episode.checks.js';
import type {
  DueId,
  DueState,
  EpisodeContext,
  EpisodeInput,
  FiredDue,
  PanelRecord,
  ScreenSummary,
  TherapyRecord,
} from './mas-episode.types.js';
import { withMeasures } from './measures.util.js';
import {
  courseResponseOf,
  parsePanel,
  pictureScreenOf,
  pictureWith,
  responseOf,
} from './panel-cache.util.js';
import { checkProfileForEpisode, profileHours } from './profile-values.util.js';
import {
  doseChangeAsStart,
  incompleteRecord,
  isGlucocorticoidTaper,
  namedRecord,
  namedRecords,
  recordedDoseCheck,
  therapyDoseCheck,
} from './therapy-record.util.js';
import {
  addHours,
  isAtOrAfter,
  later,
  minutesBetween,
  normalize,
  toMs,
} from './time.util.js';

const { dueTimes } = masProtocolDefinition;

const unscheduled: DueState = { dueAt: null, pausedAt: null, firedAt: null };

export function createInitialContext(input: EpisodeInput): EpisodeContext {
  checkProfileForEpisode(input.profile);
  const openedAt = normalize(input.openedAt);
  const suspected = input.initialStage === 'suspected';
  // The deployed version the episode runs under (the current one unless the
  // service opens it under another deployed version).
  const protocol = deployedProtocolVersion(
    input.protocolVersion ?? masProtocol.version,
  );
  const base: EpisodeContext = {
    episodeId: input.episodeId,
    patient: input.patient,
    // The admission's figures: measured at some time before the opening.
    measuredAt: {},
    protocol: {
      id: protocol.id,
      version: protocol.version,
      hash: protocol.hash,
    },
    profile: {
      id: input.profile.data.profileId,
      version: input.profile.data.version,
      hash: input.profile.hash,
      example: input.profile.data.example,
    },
    profileData: input.profile.data,
    initialStage: input.initialStage,
    openedAt,
    now: openedAt,
    suspicionAt: null,
    firstGlucocorticoidAt: null,
    firstTargetedTherapyAt: null,
    severe: false,
    rapidlyWorsening: false,
    cnsInvolvement: false,
    hemorrhage: false,
    therapies: [],
    otherTherapies: [],
    escalationRequests: [],
    emergencyStarts: [],
    screenings: {},
    triggers: {
      infection: false,
      malignancy: false,
      ebv: false,
      ebvCellType: null,
    },
    antimicrobialsActive: false,
    malignancyTreatmentStarted: false,
    decisions: {},
    support: [],
    labPicture: {},
    lastPanel: null,
    responseBaseline: null,
    treatmentBaseline: null,
    treatmentStartedAt: null,
    criteriaMetAt: null,
    unrecognisedSuggestiveAt: null,
    tocilizumabGiven: false,
    lastScreen: null,
    lastResponse: null,
    inadequateResponseRecorded: false,
    reassessments: 0,
    missingMonitoringItems: [],
    diagnosisBasis: null,
    clinicalDiagnosisWithoutCriteria: false,
    dues: {
      reassessment: unscheduled,
      labs: unscheduled,
      glucocorticoidStart: unscheduled,
    },
    firedDues: [],
    hold: null,
    alerts: [],
    alertLog: [],
    relapses: 0,
    inRemission: false,
    outcome: null,
  };
  const context = suspected ? recordSuspicion(base, openedAt) : base;
  return refreshAlerts(context);
}

// ---------------------------------------------------------------- due times

type DueKind = keyof typeof dueTimes;

function kindOf(id: string): DueKind {
  return (
    id.startsWith('countersignature:') ? 'countersignature' : id
  ) as DueKind;
}

function intervalHours(context: EpisodeContext, id: string): number {
  const definition: DueTimeDefinition = dueTimes[kindOf(id)];
  if (definition.intervalHours !== undefined) return definition.intervalHours;
  return kindOf(id) === 'countersignature'
    ? profileHours(context, 'countersignatureWindowHours')
    : profileHours(context, 'suspicionToGlucocorticoidMaxHours');
}

function shouldPause(context: EpisodeContext, id: string): boolean {
  if (context.hold === null) return false;
  const policy = dueTimes[kindOf(id)].pausesOnHold;
  switch (policy) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'unless-immunosuppressed':
      return !isImmunosuppressed(context);
  }
}

function setDue(
  context: EpisodeContext,
  id: DueId,
  due: DueState,
): EpisodeContext {
  return { ...context, dues: { ...context.dues, [id]: due } };
}

function schedule(
  context: EpisodeContext,
  id: DueId,
  from: string,
): EpisodeContext {
  return setDue(context, id, {
    dueAt: addHours(from, intervalHours(context, id)),
    pausedAt: shouldPause(context, id) ? from : null,
    firedAt: null,
  });
}

function unschedule(context: EpisodeContext, id: DueId): EpisodeContext {
  return setDue(context, id, unscheduled);
}

/** Pauses what the hold pauses now; resumes what it no longer pauses. */
function syncPauses(context: EpisodeContext, at: string): EpisodeContext {
  let next = context;
  for (const [id, due] of Object.entries(context.dues)) {
    if (due.dueAt === null) continue;
    const pause = shouldPause(context, id);
    if (pause && due.pausedAt === null) {
      next = setDue(next, id as DueId, { ...due, pausedAt: at });
    } else if (!pause && due.pausedAt !== null) {
      next = resume(next, id as DueId, due, at);
    }
  }
  return next;
}

/** Applies the due time's resume policy. */
function resume(
  context: EpisodeContext,
  id: DueId,
  due: DueState,
  at: string,
): EpisodeContext {
  const policy = dueTimes[kindOf(id)].resumePolicy;
  switch (policy) {
    case 'keep':
      return setDue(context, id, { ...due, pausedAt: null });
    case 'restart':
      // A due time that had already passed stays passed: a hold does not
      // erase an overdue reassessment.
      return due.firedAt !== null
        ? setDue(context, id, { ...due, pausedAt: null })
        : setDue(context, id, {
            dueAt: addHours(at, intervalHours(context, id)),
            pausedAt: null,
            firedAt: null,
          });
  }
}

/** Fires every due time that has passed and is not paused; records lateness. */
function fireDue(context: EpisodeContext): EpisodeContext {
  const fired: FiredDue[] = [];
  const dues: Record<string, DueState> = { ...context.dues };
  for (const [id, due] of Object.entries(context.dues)) {
    if (due.dueAt === null || due.firedAt !== null || due.pausedAt !== null) {
      continue;
    }
    if (isAtOrAfter(context.now, due.dueAt) && context.now !== due.dueAt) {
      dues[id] = { ...due, firedAt: context.now };
      fired.push({
        id: id as DueId,
        dueAt: due.dueAt,
        firedAt: context.now,
        latenessMinutes: minutesBetween(due.dueAt, context.now),
      });
    }
  }
  if (fired.length === 0) return context;
  return { ...context, dues, firedDues: [...context.firedDues, ...fired] };
}

/**
 * Records when what was due got done; the lateness of a fired due time is
 * then measured to its completion, not only to when it was noticed.
 */
function resolveDue(
  context: EpisodeContext,
  id: DueId,
  at: string,
): EpisodeContext {
  const due = context.dues[id];
  if (due?.firedAt == null || due.dueAt === null) return context;
  const dueAt = due.dueAt;
  return {
    ...context,
    firedDues: context.firedDues.map((fired) =>
      fired.id === id && fired.dueAt === dueAt && fired.resolvedAt === undefined
        ? {
            ...fired,
            resolvedAt: at,
            resolvedLatenessMinutes: minutesBetween(dueAt, at),
          }
        : fired,
    ),
  };
}

/** Moves the episode's clock to `at` (never backwards) and fires due times. */
export function advanceTime(
  context: EpisodeContext,
  at: string,
): EpisodeContext {
  return fireDue({ ...context, now: later(context.now, normalize(at)) });
}

// ---------------------------------------------------------------- panels

function screenSummary(
  context: EpisodeContext,
  picture: LabPicture,
  at: string,
): ScreenSummary {
  const { screen, provenance } = pictureScreenOf(
    picture,
    at,
    context.tocilizumabGiven,
    context.patient.underlyingDisease,
  );
  // Object.assign onto a fresh object, not spreads followed by new keys
  // (V8's slow path; every panel recorded): the same keys in the same order.
  return Object.assign(
    Object.assign(
      {
        at,
        suggestive: screen.suggestive,
        criteriaMet: screen.criteriaMet,
        reasons: screen.reasons,
      },
      screen.hscore ? { hscore: screen.hscore.score } : {},
      screen.mas2016
        ? {
            mas2016Classified: screen.mas2016.classified,
            mas2016Applicable: screen.mas2016.applicable,
          }
        : {},
      screen.hlh2004 ? { hlh2004CriteriaMet: screen.hlh2004.criteriaMet } : {},
    ),
    screen.msScore ? { msScore: screen.msScore.score } : {},
    {
      notComputed: Object.keys(screen.notComputed),
      undecided: Object.keys(screen.undecided),
      sampledAt: Object.fromEntries(
        Object.entries(provenance).map(([item, from]) => [
          item,
          from.collectedAt,
        ]),
      ),
    },
  );
}

/**
 * A panel joins the episode's lab picture at its sample time (a partial
 * panel keeps the earlier values of what it lacks; a sample drawn earlier
 * but entered later never replaces a later one), and the calculators run on
 * the picture as it stands at its newest sample, within the protocol's
 * window.
 */
function recordPanel(
  context: EpisodeContext,
  panel: LabPanelInput,
  collectedAt: string,
): EpisodeContext {
  const parsed = parsePanel(panel);
  const picture = pictureWith(context.labPicture, panel, collectedAt);
  const at =
    context.lastPanel === null
      ? collectedAt
      : later(context.lastPanel.at, collectedAt);
  const screen = screenSummary(context, picture, at);
  const record: PanelRecord = {
    at,
    panel: pictureScreenOf(
      picture,
      at,
      context.tocilizumabGiven,
      context.patient.underlyingDisease,
    ).panel,
  };
  // A correction of a sample a response baseline was taken from corrects
  // the baseline too: a mistyped pre-treatment ferritin would otherwise
  // make every later one look like a response.
  const time = Date.parse(collectedAt);
  const corrected = (baseline: PanelRecord | null): PanelRecord | null =>
    baseline !== null && Date.parse(baseline.at) === time
      ? { ...baseline, panel: { ...baseline.panel, ...panel } }
      : baseline;
  let next: EpisodeContext = {
    ...context,
    treatmentBaseline: corrected(context.treatmentBaseline),
    responseBaseline: corrected(context.responseBaseline),
    labPicture: picture,
    lastPanel: record,
    lastScreen: screen,
    criteriaMetAt: context.criteriaMetAt ?? (screen.criteriaMet ? at : null),
    unrecognisedSuggestiveAt:
      context.unrecognisedSuggestiveAt ??
      (screen.suggestive && context.suspicionAt === null ? at : null),
    cnsInvolvement: context.cnsInvolvement || parsed.findings.cnsInvolvement,
    hemorrhage: context.hemorrhage || parsed.findings.hemorrhage,
  };
  // Only a laboratory value meets the labs due (findings alone do not),
  // and only from a sample drawn after the one that set it: a send-out
  // result (sCD25) arriving days after its sample neither meets a due set
  // since nor moves it back.
  const labs = next.dues['labs'];
  if (
    labs?.dueAt != null &&
    analyteIds.some((id) => panel[id] !== undefined) &&
    toMs(collectedAt) > toMs(addHours(labs.dueAt, -intervalHours(next, 'labs')))
  ) {
    next = schedule(resolveDue(next, 'labs', collectedAt), 'labs', collectedAt);
  }
  return next;
}

/** The items the episode's own protocol version asks of a reassessment panel. */
function missingItems(context: EpisodeContext, panel: LabPanelInput): string[] {
  const present = new Set(analyteIds.filter((id) => panel[id] !== undefined));
  // Any version the build knows: an episode keeps replaying under its own.
  const { monitoring } = knownProtocolVersion(
    context.protocol.version,
  ).definition;
  return monitoring.items.filter((item) => !present.has(item));
}

/**
 * The response verdict of a reassessment: on treatment, the current picture
 * against the pre-treatment baseline and the previous assessment, timed from
 * the start of treatment (assessResponseCourse: too early to judge before the
 * institution's interval); untreated, against the previous panel. A verdict
 * the panels cannot give leaves none (never a stale one).
 */
function verdictOf(
  context: EpisodeContext,
  current: PanelRecord,
  at: string,
): EpisodeContext['lastResponse'] {
  const profile = { data: context.profileData, hash: context.profile.hash };
  try {
    const baseline = context.treatmentBaseline;
    if (baseline && context.treatmentStartedAt !== null) {
      if (!isAtOrAfter(current.at, baseline.at) || current.at === baseline.at) {
        return null;
      }
      const previous = context.responseBaseline;
      const result = courseResponseOf({
        baseline,
        ...(previous && previous.at > baseline.at && previous.at < current.at
          ? { previous }
          : {}),
        current,
        therapyStartedAt: context.treatmentStartedAt,
        profile,
      });
      return { at, verdict: result.verdict, reasons: result.reasons };
    }
    const previous = context.responseBaseline ?? context.lastPanel;
    if (!previous) return null;
    const result = responseOf(previous.panel, current.panel, profile);
    return { at, verdict: result.verdict, reasons: result.reasons };
  } catch (error) {
    if (!(error instanceof ClinicalInputError)) throw error;
    return null;
  }
}

function recordReassessment(
  context: EpisodeContext,
  event: EpisodeEventOf<'reassessment.recorded'>,
  at: string,
): EpisodeContext {
  const collectedAt = normalize(event.payload.collectedAt);
  // The protocol's reassessment is clinical, at least every 12 h: every
  // reassessment recorded clears the one due and sets the next (the labs
  // have their own due time). Its laboratory verdict rests on its own
  // values only: without one (the clinical status alone) the last verdict
  // stands, never one made of values already judged (`reassessmentSample`).
  const sample = reassessmentSample(event);
  let next = resolveDue(context, 'reassessment', at);
  // A panel of findings alone still joins the picture (no laboratory due
  // is met by it); an empty one, or the age alone, is no sample.
  if (panelHasItems(event.payload.panel)) {
    next = recordPanel(next, event.payload.panel, collectedAt);
  }
  const current = next.lastPanel;
  let verdict =
    sample === 'no-values'
      ? context.lastResponse
      : current
        ? verdictOf(context, current, at)
        : null;
  if (event.payload.clinicalStatus === 'worsening') {
    verdict = {
      at,
      verdict: 'worsening',
      reasons: [
        'clinical status recorded as worsening',
        ...(verdict?.reasons ?? []),
      ],
    };
  }
  if (event.payload.clinicalJudgement === 'inadequate') {
    // A senior's judgement on clinical grounds, against the labs if need be:
    // a route to escalation, recorded as such.
    verdict = {
      at,
      verdict: 'inadequate',
      reasons: [
        `response judged inadequate on clinical grounds by ${event.actor.id}: ${event.rationale ?? ''}`,
        ...(verdict ? [`the laboratory verdict was ${verdict.verdict}`] : []),
        ...(verdict?.reasons ?? []),
      ],
      clinicalJudgement: { by: event.actor, rationale: event.rationale ?? '' },
    };
  }
  next = {
    ...next,
    // (Without a sample, the next verdict still compares with the last one.)
    responseBaseline:
      sample === 'no-values' ? context.responseBaseline : current,
    reassessments: context.reassessments + 1,
    // (The clinical status alone says nothing of the panel's items.)
    missingMonitoringItems:
      sample === 'no-values'
        ? context.missingMonitoringItems
        : missingItems(context, event.payload.panel),
    // A reassessment the rule cannot assess leaves no verdict (never a stale one).
    lastResponse: verdict,
    inadequateResponseRecorded:
      context.inadequateResponseRecorded ||
      verdict?.verdict === 'inadequate' ||
      verdict?.verdict === 'worsening',
  };
  return schedule(next, 'reassessment', at);
}

// ---------------------------------------------------------------- therapies

function recordSuspicion(context: EpisodeContext, at: string): EpisodeContext {
  if (context.suspicionAt !== null) return context;
  let next: EpisodeContext = {
    ...context,
    suspicionAt: at,
    unrecognisedSuggestiveAt: null,
  };
  if (!hasGlucocorticoidStarted(next)) {
    next = schedule(next, 'glucocorticoidStart', at);
  }
  if (next.dues['reassessment']?.dueAt == null) {
    next = schedule(next, 'reassessment', at);
  }
  return next;
}

function startTherapy(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
  recordedAt: string,
): EpisodeContext {
  const { drug, dose, route, schedule: given } = event.payload;
  // The clinical time: when it was given, not when it was recorded.
  const at = normalize(event.payload.givenAt);
  const therapyClass = therapyClassOf(drug);
  const wasImmunosuppressed = isImmunosuppressed(context);
  // The guard refuses an incomplete record; should one reach here anyway
  // (a planted bug in the checker's mutants), it is kept as unchecked.
  const incomplete = incompleteRecord(event.payload);
  const check =
    incomplete === null ? recordedDoseCheck(context, event.payload) : null;
  let next: EpisodeContext = {
    ...context,
    therapies: [
      ...context.therapies,
      {
        drug,
        therapyClass,
        startedAt: at,
        startedBy: event.actor,
        background: false,
        emergency: event.payload.emergency === true,
        ...(event.rationale ? { rationale: event.rationale } : {}),
        route,
        dose,
        // In mg as the dose check converted it (UCUM).
        ...(check ? { doseMg: check.doseMg } : {}),
        schedule: given,
        ...(event.payload.creatinineClearanceMlMin === undefined
          ? {}
          : {
              creatinineClearanceMlMin: event.payload.creatinineClearanceMlMin,
            }),
        ...(recordedAt === at ? {} : { recordedAt }),
        doseCheck: check
          ? therapyDoseCheck(check, event)
          : { tier: 'unchecked', messages: [incomplete ?? ''] },
        doseIncreases: [],
        beforeGlucocorticoid:
          therapyClass !== 'glucocorticoid' &&
          !hasGlucocorticoidStarted(context),
      },
    ],
  };
  if (
    therapyClass === 'glucocorticoid' &&
    context.firstGlucocorticoidAt === null
  ) {
    next = unschedule(
      resolveDue(
        { ...next, firstGlucocorticoidAt: at },
        'glucocorticoidStart',
        at,
      ),
      'glucocorticoidStart',
    );
  }
  if (drug === 'tocilizumab') next = { ...next, tocilizumabGiven: true };
  if (
    therapyClass !== 'glucocorticoid' &&
    context.firstTargetedTherapyAt === null
  ) {
    next = { ...next, firstTargetedTherapyAt: at };
  }
  if (therapyClass === 'refractory') {
    const approved = context.escalationRequests.find(
      (r) => r.drug === drug && r.status === 'approved',
    );
    if (approved) {
      next = {
        ...next,
        escalationRequests: next.escalationRequests.map((r) =>
          r === approved ? { ...r, status: 'started' as const } : r,
        ),
      };
    } else if (event.payload.emergency === true) {
      const id = `${drug}-${next.emergencyStarts.length + 1}`;
      next = schedule(
        {
          ...next,
          emergencyStarts: [
            ...next.emergencyStarts,
            {
              id,
              drug,
              startedBy: event.actor,
              startedAt: at,
              rationale: event.rationale ?? '',
            },
          ],
        },
        `countersignature:${id}`,
        at,
      );
    }
  }
  if (!wasImmunosuppressed) {
    // Treatment starts: the picture before it is the response baseline.
    next = {
      ...next,
      responseBaseline: next.responseBaseline ?? next.lastPanel,
      treatmentBaseline: next.treatmentBaseline ?? next.lastPanel,
      treatmentStartedAt: next.treatmentStartedAt ?? at,
    };
    // The first immunosuppressant: reassess within the interval of when it
    // was given (earlier than a pending due time when it was given before it
    // was recorded), never paused.
    const due = next.dues['reassessment'];
    const fromStart = schedule(next, 'reassessment', at);
    const startDue = fromStart.dues['reassessment']?.dueAt ?? null;
    if (
      due?.dueAt == null ||
      due.pausedAt !== null ||
      (startDue !== null && toMs(startDue) < toMs(due.dueAt))
    ) {
      next = fromStart;
    }
    if (next.dues['labs']?.dueAt == null) next = schedule(next, 'labs', at);
  }
  return next;
}

function startOtherTherapy(
  context: EpisodeContext,
  event: EpisodeEventOf<'other-therapy.started'>,
  recordedAt: string,
): EpisodeContext {
  const { recordId, medication, dose, route, schedule: given } = event.payload;
  return {
    ...context,
    otherTherapies: [
      ...context.otherTherapies,
      {
        recordId,
        medication,
        dose,
        route,
        schedule: given,
        startedAt: normalize(event.payload.givenAt),
        recordedAt,
        startedBy: event.actor,
        glucocorticoidTaper: isGlucocorticoidTaper(event.payload),
        ...(event.payload.doseConfirmation
          ? { doseConfirmation: event.payload.doseConfirmation }
          : {}),
      },
    ],
  };
}

/**
 * Stops the running records of `drug` the event names (by its start time;
 * without one, the only record, or the records of one course recorded day
 * by day: the check lets nothing else through).
 */
function stopTherapy(
  context: EpisodeContext,
  drug: string,
  at: string,
  startedAt: string | undefined,
): EpisodeContext {
  const named = namedRecords(context, drug, startedAt);
  if ('reason' in named) return context;
  const stopped = new Set<TherapyRecord>(named.records);
  return {
    ...context,
    therapies: context.therapies.map((t) =>
      stopped.has(t) ? { ...t, stoppedAt: at } : t,
    ),
  };
}

/**
 * A running course's new dose: the record keeps its start, takes the new
 * dose, route, schedule and check, and keeps the dose it replaces.
 */
function changeDose(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.dose-changed'>,
): EpisodeContext {
  const named = namedRecord(
    context,
    event.payload.drug,
    event.payload.startedAt,
  );
  if ('reason' in named) return context;
  const { record } = named;
  const start = doseChangeAsStart(event, record);
  const { creatinineClearanceMlMin } = start.payload;
  // (The dose check reads the patient and the profile, not the records.)
  const check = recordedDoseCheck(context, start.payload);
  const { dose, route, schedule: given } = event.payload;
  const changed: TherapyRecord = {
    ...record,
    dose,
    route,
    schedule: given,
    ...(creatinineClearanceMlMin === undefined
      ? {}
      : { creatinineClearanceMlMin }),
    doseMg: check.doseMg,
    doseCheck: therapyDoseCheck(check, start),
    doseChanges: [
      ...(record.doseChanges ?? []),
      {
        at: normalize(event.payload.givenAt),
        by: event.actor,
        previous: {
          ...(record.dose ? { dose: record.dose } : {}),
          ...(record.doseMg === undefined ? {} : { doseMg: record.doseMg }),
          ...(record.route ? { route: record.route } : {}),
          ...(record.schedule ? { schedule: record.schedule } : {}),
          ...(record.doseCheck ? { doseCheck: record.doseCheck } : {}),
          ...(record.creatinineClearanceMlMin === undefined
            ? {}
            : { creatinineClearanceMlMin: record.creatinineClearanceMlMin }),
        },
      },
    ],
  };
  return {
    ...context,
    therapies: context.therapies.map((t) => (t === record ? changed : t)),
  };
}

function recordBackground(
  context: EpisodeContext,
  event: EpisodeEventOf<'background-therapy.recorded'>,
  at: string,
): EpisodeContext {
  const { drug } = event.payload;
  if (event.payload.doseIncreased === true) {
    return {
      ...context,
      therapies: context.therapies.map((t) =>
        t.drug === drug && t.background && t.stoppedAt === undefined
          ? { ...t, doseIncreases: [...t.doseIncreases, at] }
          : t,
      ),
    };
  }
  // Background glucocorticoids are not the high-dose first line: they do not
  // stop the delay clock.
  return {
    ...context,
    therapies: [
      ...context.therapies,
      {
        drug,
        therapyClass: therapyClassOf(drug),
        startedAt: at,
        startedBy: event.actor,
        background: true,
        emergency: false,
        ...(event.rationale ? { rationale: event.rationale } : {}),
        doseIncreases: [],
        beforeGlucocorticoid: false,
      },
    ],
    ...(drug === 'tocilizumab' ? { tocilizumabGiven: true } : {}),
  };
}

function restartTimers(context: EpisodeContext, at: string): EpisodeContext {
  const { remission: _ended, ...rest } = context;
  let next: EpisodeContext = {
    ...rest,
    relapses: context.relapses + 1,
    inRemission: false,
    // A relapse is a new flare: severity is assessed afresh.
    severe: false,
    rapidlyWorsening: false,
    lastResponse: null,
    responseBaseline: context.lastPanel,
    // A new flare: its response is judged from the picture at relapse.
    treatmentBaseline: context.lastPanel,
    treatmentStartedAt: at,
  };
  next = schedule(next, 'reassessment', at);
  next = schedule(next, 'labs', at);
  return next;
}

// ---------------------------------------------------------------- alerts

export function refreshAlerts(context: EpisodeContext): EpisodeContext {
  const alerts = deriveAlerts(context);
  return {
    ...context,
    alerts,
    alertLog: refreshAlertLog(
      context.alertLog,
      context.alerts,
      alerts,
      context.now,
    ),
  };
}

// ---------------------------------------------------------------- events

function applyOne(
  context: EpisodeContext,
  event: EpisodeEvent,
  at: string,
): EpisodeContext {
  switch (event.type) {
    case 'clock.ticked':
      return context;
    case 'labs.recorded':
      return recordPanel(
        context,
        event.payload.panel,
        normalize(event.payload.collectedAt),
      );
    case 'suspicion.recorded':
      return recordSuspicion(context, at);
    case 'workup.started':
      return recordSuspicion(context, at);
    case 'diagnosis.confirmed': {
      // The same picture as the confirmation check: criteria met on an
      // earlier sample of the episode count.
      const criteriaMet = context.criteriaMetAt !== null;
      return recordSuspicion(
        {
          ...context,
          diagnosisBasis: event.payload.basis,
          clinicalDiagnosisWithoutCriteria: !criteriaMet,
        },
        at,
      );
    }
    case 'diagnosis.excluded':
      return { ...context, outcome: 'excluded' };
    case 'severity.assessed':
      return {
        ...context,
        severe: event.payload.severe,
        rapidlyWorsening: event.payload.rapidlyWorsening,
      };
    case 'therapy.started':
      return startTherapy(context, event, at);
    case 'therapy.stopped':
      return stopTherapy(
        context,
        event.payload.drug,
        normalize(event.payload.stoppedAt ?? at),
        event.payload.startedAt,
      );
    case 'therapy.dose-changed':
      return changeDose(context, event);
    case 'other-therapy.started':
      return startOtherTherapy(context, event, at);
    case 'measures.recorded':
      return withMeasures(context, event, at);
    case 'other-therapy.stopped':
      return {
        ...context,
        otherTherapies: context.otherTherapies.map((t) =>
          t.recordId === event.payload.recordId && t.stoppedAt === undefined
            ? { ...t, stoppedAt: normalize(event.payload.stoppedAt ?? at) }
            : t,
        ),
      };
    case 'background-therapy.recorded':
      return recordBackground(context, event, at);
    case 'escalation.requested':
      return {
        ...context,
        escalationRequests: [
          ...context.escalationRequests,
          {
            requestId: event.payload.requestId,
            drug: event.payload.drug,
            requestedBy: event.actor,
            requestedAt: at,
            rationale: event.rationale ?? '',
            evidence: event.payload.evidence,
            status: 'pending',
          },
        ],
      };
    case 'escalation.approved':
    case 'escalation.rejected': {
      const status =
        event.type === 'escalation.approved' ? 'approved' : 'rejected';
      return {
        ...context,
        escalationRequests: context.escalationRequests.map((r) =>
          r.requestId === event.payload.requestId
            ? {
                ...r,
                status,
                decidedBy: event.actor,
                decidedAt: at,
                ...(event.rationale
                  ? { decisionRationale: event.rationale }
                  : {}),
              }
            : r,
        ),
      };
    }
    case 'escalation.countersigned': {
      const start = openEmergencyStart(context, event.payload.drug);
      if (!start) return context;
      const id: DueId = `countersignature:${start.id}`;
      return unschedule(
        resolveDue(
          {
            ...context,
            emergencyStarts: context.emergencyStarts.map((s) =>
              s === start
                ? { ...s, countersignedBy: event.actor, countersignedAt: at }
                : s,
            ),
          },
          id,
          at,
        ),
        id,
      );
    }
    case 'screening.recorded':
      return {
        ...context,
        screenings: {
          ...context.screenings,
          [event.payload.kind]: {
            result: event.payload.result,
            at,
            by: event.actor,
            ...(event.rationale ? { rationale: event.rationale } : {}),
          },
        },
      };
    case 'trigger.identified':
      return {
        ...context,
        triggers: {
          ...context.triggers,
          [event.payload.trigger]: true,
          ...(event.payload.trigger === 'ebv'
            ? { ebvCellType: event.payload.ebvCellType ?? 'unknown' }
            : {}),
        },
      };
    case 'antimicrobials.started':
      return { ...context, antimicrobialsActive: true };
    case 'antimicrobials.stopped':
      return { ...context, antimicrobialsActive: false };
    case 'decision.recorded':
      return {
        ...context,
        decisions: {
          ...context.decisions,
          [event.payload.topic]: {
            choice: event.payload.choice,
            at,
            by: event.actor,
            rationale: event.rationale ?? '',
          },
        },
      };
    case 'malignancy-treatment.started':
      return { ...context, malignancyTreatmentStarted: true };
    case 'support.started':
      return { ...context, support: [...context.support, event.payload.kind] };
    case 'support.stopped':
      return {
        ...context,
        support: context.support.filter((kind) => kind !== event.payload.kind),
      };
    case 'reassessment.recorded':
      return recordReassessment(context, event, at);
    case 'hold.started':
      return { ...context, hold: { since: at, reason: event.payload.reason } };
    case 'hold.ended':
      return { ...context, hold: null };
    case 'remission.recorded':
      // In remission the 12-hourly reassessment and daily labs stop; a
      // relapse restarts them.
      return unschedule(
        unschedule(
          {
            ...context,
            inRemission: true,
            remission: { at, therapiesBefore: context.therapies.length },
          },
          'labs',
        ),
        'reassessment',
      );
    case 'taper.started':
      return context;
    case 'relapse.recorded':
      return restartTimers(context, at);
    case 'death.recorded':
      return { ...context, outcome: 'died' };
    case 'transfer-out.recorded':
      return { ...context, outcome: 'transferred-out' };
    case 'episode.closed':
      return { ...context, outcome: 'closed' };
    case 'profile.adopted': {
      // Decisions from now on run under the new profile; what was decided
      // and the due times already set stay as they were.
      const profile = parseInstitutionProfile(event.payload.profile);
      return {
        ...context,
        profile: {
          id: profile.data.profileId,
          version: profile.data.version,
          hash: profile.hash,
          example: profile.data.example,
        },
        profileData: profile.data,
      };
    }
    case 'protocol.migrated': {
      // The plan carries the context over whole; only the identity of the
      // protocol the episode runs under changes.
      const to = knownProtocolVersion(
        event.payload.toVersion,
        'payload.toVersion',
      );
      return {
        ...context,
        protocol: { id: to.id, version: to.version, hash: to.hash },
      };
    }
  }
}

/**
 * The context after `event`: the clock moves to the event's time (firing what
 * fell due), the event applies, holds pause or resume due times, and the
 * alerts are derived afresh.
 */
export function applyEvent(
  context: EpisodeContext,
  event: EpisodeEvent,
): EpisodeContext {
  const timed = advanceTime(context, event.at);
  const at = normalize(event.at);
  const applied = applyOne(timed, event, at);
  // Resuming may bring a kept due time that passed during the hold.
  const synced = fireDue(syncPauses(applied, timed.now));
  return refreshAlerts(synced);
}
