/**
 * The protocol's recommended next steps, as one decision rule shared by the
 * simulator's protocol policy (which acts on them) and the ward's episode
 * page (which offers them first): glucocorticoid pulse at once
 * (dexamethasone considered in CNS involvement), combination up front when
 * severe, trigger-specific care, escalation after an inadequate response
 * (anakinra, ciclosporin, then emapalumab with four eyes and its
 * screenings), remission and taper, and back to treatment on relapse.
 *
 * What the rule cannot read off the record comes in as signals: the
 * simulator knows its virtual patient (organ support needed, platelets,
 * results of the work-up, its model of remission); a real episode gives
 * only what is recorded, and the bedside decides the rest (no organ support,
 * transfusion, remission or relapse is ever suggested from it).
 */
import type { EpisodeEvent } from '@mas/contracts';
import { eventWording, masProtocolDefinition } from '@mas/protocol';

import {
  hasEverStarted,
  isEscalationWarranted,
  therapyClassOf,
} from './mas-episode.checks.js';
import type { EpisodeSnapshot, EventOption } from './mas-episode.explain.js';
import type { EpisodeContext, TherapyRecord } from './mas-episode.types.js';

/** A step: an event body (type, payload, rationale, who) and why it is advised. */
export interface NextStep {
  readonly type: EpisodeEvent['type'];
  readonly payload: Record<string, unknown>;
  /** The rationale recorded with the event, where the step carries one. */
  readonly rationale?: string;
  /** Which of the two seniors acts (four eyes needs both). */
  readonly actor?: 'clinician' | 'senior-a' | 'senior-b';
  /** Why the protocol advises it now. */
  readonly why: string;
  /** The seed statements it follows. */
  readonly evidence: readonly string[];
}

/** What the rule cannot read off the episode's record. */
export interface NextStepSignals {
  /** Work-up results known by now (a real episode: those recorded). */
  readonly known: {
    readonly infection: boolean;
    readonly ebv: 'B' | 'T/NK' | null;
    readonly malignancy: boolean;
  };
  /** CNS involvement (the simulator: the scenario's; an episode: recorded). */
  readonly cns: boolean;
  /** Whether organ support is needed now; null: not for this rule to say. */
  readonly needsOrganSupport: boolean | null;
  /** Platelets low enough for a transfusion (the simulator's model only). */
  readonly plateletsLow: boolean;
  /** A second-line agent is due. */
  readonly escalate: boolean;
  /** Refractory therapy is due once both second-line agents are on board. */
  readonly refractory: boolean;
  /** Remission reached (the simulator's model only). */
  readonly remission: boolean;
  /** A relapse during the taper (the simulator's model only). */
  readonly relapse: boolean;
}

export interface NextStepOptions {
  readonly antimicrobials: boolean;
  readonly considerDexamethasone: boolean;
  /** Combination and etoposide at once, whatever the severity (a deviation). */
  readonly overEscalate: boolean;
  /**
   * Confirms the diagnosis on clinical grounds when no criteria are met (the
   * simulator's clinician); else it is advised only when criteria are met.
   */
  readonly clinicalDiagnosis: boolean;
}

/** Anakinra's standard dose (protocol data): MAS calls for more. */
const anakinraStandard = masProtocolDefinition.doses.anakinra.standardRange;

/** The refractory drug the rule chooses (approval by a second senior). */
export const recommendedRefractoryDrug = 'emapalumab';
const screeningsBeforeRefractory = [
  'tb-screening',
  'zoster-prophylaxis',
  'pjp-prophylaxis',
  'fungal-prophylaxis',
] as const;

/**
 * A therapy given at an MAS dose and not stopped: a background therapy
 * (anakinra for sJIA at its standard dose) counts once its dose was raised.
 */
function atMasDose(t: TherapyRecord): boolean {
  return (
    t.stoppedAt === undefined && (!t.background || t.doseIncreases.length > 0)
  );
}

const onBoard = (context: EpisodeContext, drug: string) =>
  context.therapies.some((t) => t.drug === drug && atMasDose(t));

/** A background therapy at its standard dose (not raised yet). */
const atStandardDose = (context: EpisodeContext, drug: string) =>
  context.therapies.some(
    (t) =>
      t.drug === drug &&
      t.background &&
      t.stoppedAt === undefined &&
      t.doseIncreases.length === 0,
  );

const glucocorticoidRunning = (context: EpisodeContext) =>
  context.therapies.some(
    (t) => t.therapyClass === 'glucocorticoid' && t.stoppedAt === undefined,
  );

/** A refractory therapy running, or a request for one pending or approved. */
function refractoryUnderWay(context: EpisodeContext): boolean {
  return (
    context.therapies.some(
      (t) =>
        t.therapyClass === 'refractory' &&
        !t.background &&
        t.stoppedAt === undefined,
    ) ||
    context.escalationRequests.some(
      (r) => r.status === 'pending' || r.status === 'approved',
    )
  );
}

/** The protocol's next steps on the episode as it stands, in order. */
export function protocolNextSteps(
  snapshot: EpisodeSnapshot,
  signals: NextStepSignals,
  options: NextStepOptions,
): NextStep[] {
  const c = snapshot.context;
  const steps: NextStep[] = [];
  if (snapshot.status === 'done') return steps;
  const push = (
    type: NextStep['type'],
    payload: Record<string, unknown>,
    why: string,
    evidence: readonly string[],
    extra: Pick<NextStep, 'rationale' | 'actor'> = {},
  ) => steps.push({ type, payload, why, evidence, ...extra });
  // Drugs on board (at an MAS dose, not stopped) or planned in this decision.
  const has = (drug: string) =>
    onBoard(c, drug) ||
    steps.some(
      (x) =>
        (x.type === 'therapy.started' ||
          x.type === 'background-therapy.recorded') &&
        x.payload['drug'] === drug,
    );
  /**
   * Anakinra at an MAS dose: started, or the background dose raised (the
   * seed: doses higher than the standard 1-2 mg/kg/day).
   */
  const startAnakinra = (
    why: string,
    evidence: readonly string[],
    rationale?: string,
  ) => {
    if (atStandardDose(c, 'anakinra')) {
      push(
        'background-therapy.recorded',
        { drug: 'anakinra', doseIncreased: true },
        `${why}: raise the background anakinra to an MAS dose, above the standard ${String(anakinraStandard.min)}-${String(anakinraStandard.max)} mg/kg/day`,
        [...evidence, 'seed.second-line.4'],
      );
    } else {
      push(
        'therapy.started',
        { drug: 'anakinra', route: 'iv' },
        why,
        evidence,
        rationale === undefined ? {} : { rationale },
      );
    }
  };
  const { known } = signals;
  if (
    c.diagnosisBasis === null &&
    (c.criteriaMetAt !== null || options.clinicalDiagnosis)
  ) {
    if (c.criteriaMetAt !== null) {
      push(
        'diagnosis.confirmed',
        { basis: 'criteria' },
        'a panel of this episode meets classification criteria',
        ['seed.pitfalls.1', 'seed.pitfalls.3'],
      );
    } else {
      push(
        'diagnosis.confirmed',
        { basis: 'clinical' },
        'the clinical picture is that of MAS',
        ['seed.pitfalls.1', 'seed.pitfalls.3'],
        { rationale: 'clinical picture of MAS' },
      );
    }
  }
  const organSupport = signals.needsOrganSupport;
  if (organSupport === true && !c.support.includes('ventilation')) {
    push(
      'support.started',
      { kind: 'ventilation' },
      'organ support is needed',
      ['seed.supportive.1'],
    );
  }
  // Improving: organ support off, severity reassessed.
  if (organSupport === false && c.support.includes('ventilation')) {
    push(
      'support.stopped',
      { kind: 'ventilation' },
      'organ support is no longer needed',
      ['seed.supportive.1'],
    );
  }
  if (
    organSupport !== null &&
    c.rapidlyWorsening &&
    c.lastResponse?.verdict === 'responding'
  ) {
    push(
      'severity.assessed',
      { severe: organSupport, rapidlyWorsening: false },
      'responding: no longer rapidly worsening',
      ['seed.pitfalls.4'],
    );
  }
  if (signals.plateletsLow) {
    push('support.started', { kind: 'transfusion' }, 'platelets low', [
      'seed.supportive.2',
    ]);
  }
  const severe = organSupport === true || c.severe;
  if (organSupport === true && !c.severe) {
    push(
      'severity.assessed',
      { severe: true, rapidlyWorsening: true },
      'organ support needed: severe MAS',
      ['seed.pitfalls.4'],
    );
  }
  // Glucocorticoid pulse: none running (never given, or stopped while MAS
  // is active), dexamethasone considered in CNS involvement (the alert's
  // own condition: started once, or a decision recorded).
  const dexamethasoneConsidered =
    hasEverStarted(c, 'dexamethasone') ||
    c.decisions['cns-dexamethasone'] !== undefined;
  const pulseDue = !glucocorticoidRunning(c) && !c.inRemission;
  if (
    signals.cns &&
    options.considerDexamethasone &&
    !dexamethasoneConsidered
  ) {
    push(
      'decision.recorded',
      { topic: 'cns-dexamethasone', choice: 'dexamethasone' },
      'CNS involvement: dexamethasone should be considered',
      ['seed.initial.2'],
      {
        rationale:
          'CNS involvement: dexamethasone crosses the blood-brain barrier',
      },
    );
    push(
      'therapy.started',
      { drug: 'dexamethasone', route: 'iv' },
      pulseDue
        ? 'no glucocorticoid running; CNS involvement: dexamethasone crosses the blood-brain barrier'
        : 'CNS involvement: dexamethasone crosses the blood-brain barrier better',
      ['seed.initial.1', 'seed.initial.2', 'seed.initial.3'],
    );
  } else if (pulseDue) {
    const chosen =
      c.decisions['cns-dexamethasone']?.choice === 'dexamethasone'
        ? 'dexamethasone'
        : 'methylprednisolone';
    push(
      'therapy.started',
      { drug: chosen, route: 'iv' },
      c.firstGlucocorticoidAt === null
        ? 'no glucocorticoid yet: a high-dose pulse is the cornerstone of initial treatment, early'
        : 'no glucocorticoid running while MAS is active: a high-dose pulse',
      ['seed.initial.1', 'seed.initial.3'],
    );
  }
  // Combination up front when severe, or on over-escalation.
  if ((severe || options.overEscalate) && !has('anakinra')) {
    const why = 'severe MAS: combination up front';
    const evidence = ['seed.second-line.5', 'seed.emerging.1'];
    startAnakinra(why, evidence, why);
    if (!has('ciclosporin')) {
      push(
        'therapy.started',
        { drug: 'ciclosporin', route: 'iv' },
        why,
        evidence,
        { rationale: why },
      );
    }
  }
  // Over-escalation: an emergency etoposide start at the first sign of an
  // inadequate response, skipping the steps.
  if (options.overEscalate && !has('etoposide') && isEscalationWarranted(c)) {
    push(
      'therapy.started',
      { drug: 'etoposide', emergency: true },
      'escalating early',
      ['seed.refractory.3'],
      { rationale: 'escalating early', actor: 'senior-a' },
    );
  }
  // Triggers.
  if (known.infection && !c.triggers.infection) {
    push(
      'trigger.identified',
      { trigger: 'infection' },
      'the work-up found an infection',
      ['seed.subtype.3'],
    );
  }
  if (
    known.infection &&
    options.antimicrobials &&
    !c.antimicrobialsActive &&
    c.decisions['infection-antimicrobials'] === undefined
  ) {
    push(
      'antimicrobials.started',
      { agents: ['ceftriaxone'] },
      'infection-triggered MAS: antimicrobials alongside the immunosuppression',
      ['seed.subtype.3', 'seed.pitfalls.2'],
    );
  }
  if (known.ebv !== null && !c.triggers.ebv) {
    push(
      'trigger.identified',
      { trigger: 'ebv', ebvCellType: known.ebv },
      'the work-up found EBV',
      ['seed.refractory.4'],
    );
  }
  if (known.ebv === 'B' && !has('rituximab')) {
    if (!c.screenings['hbv-serology']) {
      push(
        'screening.recorded',
        { kind: 'hbv-serology', result: 'done' },
        'hepatitis B serology before rituximab',
        ['seed.refractory.4'],
      );
    }
    push(
      'therapy.started',
      { drug: 'rituximab' },
      'EBV in B cells: rituximab may be beneficial',
      ['seed.refractory.4'],
    );
  }
  if (known.malignancy && !c.triggers.malignancy) {
    push(
      'trigger.identified',
      { trigger: 'malignancy' },
      'the work-up found a malignancy',
      ['seed.subtype.2'],
    );
  }
  if (
    known.malignancy &&
    !c.malignancyTreatmentStarted &&
    !steps.some((s) => s.type === 'malignancy-treatment.started')
  ) {
    push(
      'malignancy-treatment.started',
      {},
      'malignancy-associated MAS: treat the malignancy too',
      ['seed.subtype.2'],
    );
  }
  // Escalation after an inadequate response or rapid worsening.
  if (signals.escalate && !c.inRemission) {
    const why = { rationale: 'inadequate response at reassessment' };
    if (!has('anakinra')) {
      startAnakinra(
        'inadequate response or rapid worsening: add a second-line agent (anakinra at a high dose; ciclosporin is the other)',
        ['seed.second-line.1', 'seed.second-line.4'],
        why.rationale,
      );
    } else if (!has('ciclosporin')) {
      push(
        'therapy.started',
        { drug: 'ciclosporin', route: 'iv' },
        'inadequate response on anakinra: add ciclosporin',
        ['seed.second-line.1', 'seed.second-line.2'],
        why,
      );
    } else if (
      signals.refractory &&
      !has(recommendedRefractoryDrug) &&
      isEscalationWarranted(c)
    ) {
      const approved = c.escalationRequests.find(
        (r) => r.drug === recommendedRefractoryDrug && r.status === 'approved',
      );
      if (approved) {
        push(
          'therapy.started',
          { drug: recommendedRefractoryDrug },
          `refractory MAS: ${recommendedRefractoryDrug} approved by a second senior`,
          ['seed.refractory.1'],
          { rationale: 'approved by a second senior', actor: 'senior-a' },
        );
      } else if (!refractoryUnderWay(c)) {
        for (const kind of screeningsBeforeRefractory) {
          if (!c.screenings[kind]) {
            push(
              'screening.recorded',
              { kind, result: 'done' },
              `before ${recommendedRefractoryDrug}: screening and prophylaxis`,
              ['seed.refractory.1'],
            );
          }
        }
        const requestId = `sim-${recommendedRefractoryDrug}-${c.escalationRequests.length + 1}`;
        push(
          'escalation.requested',
          {
            requestId,
            drug: recommendedRefractoryDrug,
            evidence: ['seed.refractory.1'],
          },
          'refractory to glucocorticoids, anakinra and ciclosporin: request refractory therapy',
          ['seed.refractory.1'],
          {
            rationale:
              'refractory to glucocorticoids, anakinra and ciclosporin',
            actor: 'senior-a',
          },
        );
        push(
          'escalation.approved',
          { requestId },
          'refractory therapy needs a second senior',
          ['seed.refractory.1'],
          { rationale: 'agreed: refractory MAS', actor: 'senior-b' },
        );
        push(
          'therapy.started',
          { drug: recommendedRefractoryDrug },
          'refractory MAS: emapalumab has shown efficacy after standard care failed',
          ['seed.refractory.1'],
          { rationale: 'approved by a second senior', actor: 'senior-a' },
        );
      }
    }
  }
  // Remission, taper; relapse back to treatment.
  if (signals.remission) {
    push(
      'remission.recorded',
      {},
      'labs settling, afebrile',
      ['seed.monitoring.3'],
      { rationale: 'labs settling, afebrile' },
    );
    push('taper.started', {}, 'in remission: taper', ['seed.monitoring.3']);
  }
  if (signals.relapse) {
    const why = { rationale: 'relapse during the taper' };
    const glucocorticoid =
      c.therapies.find((t) => t.therapyClass === 'glucocorticoid')?.drug ??
      'methylprednisolone';
    push(
      'relapse.recorded',
      {},
      'relapse during the taper',
      ['seed.monitoring.3'],
      why,
    );
    const pulsePlanned = steps.some(
      (x) =>
        x.type === 'therapy.started' &&
        therapyClassOf(String(x.payload['drug'])) === 'glucocorticoid',
    );
    if (!pulsePlanned) {
      push(
        'therapy.started',
        { drug: glucocorticoid, route: 'iv' },
        'relapse: back to a pulse of the glucocorticoid first chosen',
        ['seed.initial.1'],
        why,
      );
    }
    if (!has('anakinra')) {
      startAnakinra(
        'relapse on the taper: glucocorticoids alone are not enough',
        ['seed.second-line.1', 'seed.second-line.4'],
        why.rationale,
      );
    }
  }
  return steps;
}

/**
 * The signals a recorded episode gives: what is on its record, no more.
 * Escalation is advised on an inadequate or worsening verdict recorded
 * after the last escalation step (each step is judged at a reassessment of
 * its own, never stacked on the verdict that called for the one before), or
 * on rapid worsening before any second-line agent; refractory therapy once
 * both second-line agents are on board at MAS doses and such a verdict
 * follows them (and follows any refractory request a senior rejected); a
 * recorded relapse with no glucocorticoid pulse since.
 */
export function recordedSignals(snapshot: EpisodeSnapshot): NextStepSignals {
  const c = snapshot.context;
  const ebv = c.triggers.ebvCellType;
  const latest = (times: readonly string[]) =>
    times.reduce<string | null>(
      (last, t) =>
        last === null || Date.parse(t) > Date.parse(last) ? t : last,
      null,
    );
  const secondLine = c.therapies.filter(
    (t) =>
      t.therapyClass === 'second-line' &&
      (!t.background || t.doseIncreases.length > 0),
  );
  const lastStepAt = latest(
    secondLine.flatMap((t) =>
      t.background ? [...t.doseIncreases] : [t.startedAt],
    ),
  );
  const verdict = c.lastResponse;
  /** `time` is after `than` (a missing `than`: always; a missing `time`: never). */
  const after = (time: string | null, than: string | null) =>
    time !== null && (than === null || Date.parse(time) > Date.parse(than));
  const failedAt =
    verdict !== null &&
    (verdict.verdict === 'inadequate' || verdict.verdict === 'worsening')
      ? verdict.at
      : null;
  const failedSince = after(failedAt, lastStepAt);
  const warranted =
    failedSince || (c.rapidlyWorsening && secondLine.length === 0);
  const bothOnBoard = ['anakinra', 'ciclosporin'].every((drug) =>
    onBoard(c, drug),
  );
  const lastRejectedAt = latest(
    c.escalationRequests.flatMap((r) =>
      r.status === 'rejected' && r.decidedAt !== undefined ? [r.decidedAt] : [],
    ),
  );
  const relapsedUntreated =
    c.relapses > 0 &&
    !c.inRemission &&
    c.treatmentStartedAt !== null &&
    !c.therapies.some(
      (t) =>
        t.therapyClass === 'glucocorticoid' &&
        c.treatmentStartedAt !== null &&
        Date.parse(t.startedAt) >= Date.parse(c.treatmentStartedAt),
    );
  return {
    known: {
      infection: c.triggers.infection,
      ebv: ebv === 'B' || ebv === 'T/NK' ? ebv : null,
      malignancy: c.triggers.malignancy,
    },
    cns: c.cnsInvolvement,
    needsOrganSupport: null,
    plateletsLow: false,
    escalate: warranted,
    refractory: bothOnBoard && failedSince && after(failedAt, lastRejectedAt),
    remission: false,
    relapse: relapsedUntreated,
  };
}

/** A recommended step with the action that records it, if offered. */
export interface Recommendation {
  readonly step: NextStep;
  /** The offered action (allowed or blocked); null when none matches. */
  readonly option: EventOption | null;
}

function variantOf(
  context: EpisodeContext,
  step: NextStep,
): string | undefined {
  if (step.type === 'diagnosis.confirmed') {
    return step.payload['basis'] === 'criteria'
      ? 'on criteria'
      : 'on clinical grounds';
  }
  if (step.type === 'escalation.approved') {
    return context.escalationRequests.find(
      (r) => r.requestId === step.payload['requestId'],
    )?.drug;
  }
  const subject = eventWording(step.type, step.payload).subject;
  if (step.type === 'therapy.started' && step.payload['emergency'] === true) {
    return `${subject ?? ''} (emergency start)`;
  }
  if (
    step.type === 'background-therapy.recorded' &&
    step.payload['doseIncreased'] === true
  ) {
    return `${subject ?? ''} (dose increased)`;
  }
  return subject;
}

/**
 * The protocol's next steps on a recorded episode, each with the action the
 * user is offered for it (allowed or blocked, with the reason): a ward's
 * "recommended next step", from the same rule the simulator follows. A
 * reassessment due by now comes first; then a pending refractory request
 * awaiting a second senior and an emergency start awaiting its
 * countersignature. What the record already holds (a relapse) is not asked
 * again.
 */
export function recommendNextSteps(
  snapshot: EpisodeSnapshot,
  offered: {
    readonly allowed: readonly EventOption[];
    readonly blocked: readonly EventOption[];
  },
): Recommendation[] {
  const c = snapshot.context;
  if (snapshot.status === 'done') return [];
  const requestIds = new Set(c.escalationRequests.map((r) => r.requestId));
  const steps = protocolNextSteps(snapshot, recordedSignals(snapshot), {
    antimicrobials: true,
    considerDexamethasone: true,
    overEscalate: false,
    clinicalDiagnosis: false,
  }).filter(
    (step) =>
      step.type !== 'relapse.recorded' &&
      // The rule's request comes with its approval: the approval is
      // advised once the request exists.
      !(
        step.type === 'escalation.approved' &&
        !requestIds.has(String(step.payload['requestId']))
      ),
  );
  const first: NextStep[] = [];
  const due = c.dues['reassessment']?.dueAt ?? null;
  if (due !== null && Date.parse(due) <= Date.parse(c.now)) {
    first.push({
      type: 'reassessment.recorded',
      payload: {},
      why: 'the reassessment is due',
      evidence: ['seed.monitoring.1'],
    });
  }
  for (const request of c.escalationRequests) {
    if (request.status !== 'pending') continue;
    first.push({
      type: 'escalation.approved',
      payload: { requestId: request.requestId },
      why: `${request.drug} requested by ${request.requestedBy.id}: a second senior decides (approve or reject)`,
      evidence: ['seed.refractory.1'],
    });
  }
  for (const start of c.emergencyStarts) {
    if (start.countersignedBy !== undefined) continue;
    first.push({
      type: 'escalation.countersigned',
      payload: { drug: start.drug },
      why: `${start.drug} started in an emergency by ${start.startedBy.id}: a second senior countersigns`,
      evidence: ['seed.refractory.1'],
    });
  }
  const options = [...offered.allowed, ...offered.blocked];
  return [...first, ...steps].map((step) => {
    const variant = variantOf(c, step);
    const option =
      options.find(
        (o) =>
          o.type === step.type &&
          o.variant === variant &&
          (o.type !== 'escalation.approved' ||
            (o.examplePayload as { requestId?: unknown } | null)?.requestId ===
              step.payload['requestId']),
      ) ?? null;
    return { step, option };
  });
}
