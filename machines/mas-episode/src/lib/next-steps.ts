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
import { eventWording } from '@mas/protocol';

import { isEscalationWarranted } from './mas-episode.checks.js';
import type { EpisodeSnapshot, EventOption } from './mas-episode.explain.js';

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

/** The refractory drug the rule chooses (approval by a second senior). */
export const recommendedRefractoryDrug = 'emapalumab';
const screeningsBeforeRefractory = [
  'tb-screening',
  'zoster-prophylaxis',
  'pjp-prophylaxis',
  'fungal-prophylaxis',
] as const;

const everOn = (snapshot: EpisodeSnapshot, drug: string) =>
  snapshot.context.therapies.some((t) => t.drug === drug);

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
  // Drugs on board or already planned in this decision.
  const has = (drug: string) =>
    everOn(snapshot, drug) ||
    steps.some(
      (x) => x.type === 'therapy.started' && x.payload['drug'] === drug,
    );
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
  // Glucocorticoid pulse.
  if (c.firstGlucocorticoidAt === null) {
    if (signals.cns && options.considerDexamethasone) {
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
        'no glucocorticoid yet; CNS involvement: dexamethasone crosses the blood-brain barrier',
        ['seed.initial.1', 'seed.initial.2', 'seed.initial.3'],
      );
    } else {
      push(
        'therapy.started',
        { drug: 'methylprednisolone', route: 'iv' },
        'no glucocorticoid yet: a high-dose pulse is the cornerstone of initial treatment, early',
        ['seed.initial.1', 'seed.initial.3'],
      );
    }
  }
  // Combination up front when severe, or on over-escalation.
  if ((severe || options.overEscalate) && !has('anakinra')) {
    const why = 'severe MAS: combination up front';
    for (const drug of ['anakinra', 'ciclosporin']) {
      push(
        'therapy.started',
        { drug, route: 'iv' },
        why,
        ['seed.second-line.5', 'seed.emerging.1'],
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
  if (known.infection && options.antimicrobials && !c.antimicrobialsActive) {
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
  // Escalation after an inadequate response.
  if (signals.escalate && !c.inRemission) {
    const why = { rationale: 'inadequate response at reassessment' };
    if (!has('anakinra')) {
      push(
        'therapy.started',
        { drug: 'anakinra', route: 'iv' },
        'inadequate response to glucocorticoids: add a second-line agent (anakinra at a high dose; ciclosporin is the other)',
        ['seed.second-line.1', 'seed.second-line.4'],
        why,
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
      const pending = c.escalationRequests.find(
        (r) => r.drug === recommendedRefractoryDrug && r.status === 'pending',
      );
      const approved = c.escalationRequests.find(
        (r) => r.drug === recommendedRefractoryDrug && r.status === 'approved',
      );
      if (!pending && !approved) {
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
      } else if (pending) {
        push(
          'escalation.approved',
          { requestId: pending.requestId },
          `${recommendedRefractoryDrug} requested by ${pending.requestedBy.id}: awaiting a second senior`,
          ['seed.refractory.1'],
          { rationale: 'agreed: refractory MAS', actor: 'senior-b' },
        );
      }
      push(
        'therapy.started',
        { drug: recommendedRefractoryDrug },
        'refractory MAS: emapalumab has shown efficacy after standard care failed',
        ['seed.refractory.1'],
        { rationale: 'approved by a second senior', actor: 'senior-a' },
      );
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
    push(
      'therapy.started',
      { drug: glucocorticoid, route: 'iv' },
      'relapse: back to a pulse of the glucocorticoid first chosen',
      ['seed.initial.1'],
      why,
    );
    if (!has('anakinra')) {
      push(
        'therapy.started',
        { drug: 'anakinra', route: 'iv' },
        'relapse on the taper: glucocorticoids alone are not enough',
        ['seed.second-line.1', 'seed.second-line.4'],
        why,
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
 * both second-line agents are on board and such a verdict follows them.
 */
export function recordedSignals(snapshot: EpisodeSnapshot): NextStepSignals {
  const c = snapshot.context;
  const ebv = c.triggers.ebvCellType;
  const secondLine = c.therapies.filter(
    (t) => !t.background && t.therapyClass === 'second-line',
  );
  const lastStepAt = secondLine.reduce<string | null>(
    (latest, t) =>
      latest === null || Date.parse(t.startedAt) > Date.parse(latest)
        ? t.startedAt
        : latest,
    null,
  );
  const verdict = c.lastResponse;
  const failedSince =
    verdict !== null &&
    (verdict.verdict === 'inadequate' || verdict.verdict === 'worsening') &&
    (lastStepAt === null || Date.parse(verdict.at) > Date.parse(lastStepAt));
  const warranted =
    failedSince || (c.rapidlyWorsening && secondLine.length === 0);
  const bothOnBoard = ['anakinra', 'ciclosporin'].every((drug) =>
    secondLine.some((t) => t.drug === drug),
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
    refractory: bothOnBoard && failedSince,
    remission: false,
    relapse: false,
  };
}

/** A recommended step with the action that records it, if offered. */
export interface Recommendation {
  readonly step: NextStep;
  /** The offered action (allowed or blocked); null when none matches. */
  readonly option: EventOption | null;
}

function variantOf(step: NextStep): string | undefined {
  if (step.type === 'diagnosis.confirmed') {
    return step.payload['basis'] === 'criteria'
      ? 'on criteria'
      : 'on clinical grounds';
  }
  const subject = eventWording(step.type, step.payload).subject;
  if (step.type === 'therapy.started' && step.payload['emergency'] === true) {
    return `${subject ?? ''} (emergency start)`;
  }
  return subject;
}

/**
 * The protocol's next steps on a recorded episode, each with the action the
 * user is offered for it (allowed or blocked, with the reason): a ward's
 * "recommended next step", from the same rule the simulator follows. A
 * reassessment due by now comes first.
 */
export function recommendNextSteps(
  snapshot: EpisodeSnapshot,
  offered: {
    readonly allowed: readonly EventOption[];
    readonly blocked: readonly EventOption[];
  },
): Recommendation[] {
  const c = snapshot.context;
  const steps = protocolNextSteps(snapshot, recordedSignals(snapshot), {
    antimicrobials: true,
    considerDexamethasone: true,
    overEscalate: false,
    clinicalDiagnosis: false,
  });
  const due = c.dues['reassessment']?.dueAt ?? null;
  if (
    snapshot.status !== 'done' &&
    due !== null &&
    Date.parse(due) <= Date.parse(c.now)
  ) {
    steps.unshift({
      type: 'reassessment.recorded',
      payload: {},
      why: `the reassessment was due at ${due}`,
      evidence: ['seed.monitoring.1'],
    });
  }
  const options = [...offered.allowed, ...offered.blocked];
  return steps.map((step) => {
    const variant = variantOf(step);
    const option =
      options.find(
        (o) =>
          o.type === step.type &&
          (o.variant === undefined || o.variant === variant),
      ) ?? null;
    return { step, option };
  });
}
