/**
 * The safety properties of the care episode, as data: a name, the seed
 * statements or evidence entries they protect, and a predicate. A new
 * property is a few lines here.
 */
import type { EpisodeActor, EpisodeEvent } from '@mas/contracts';
import { organSupportKinds } from '@mas/contracts';
import { masProtocolDefinition } from '@mas/protocol';

import {
  activeTherapies,
  isActive,
  isImmunosuppressed,
  therapyClassOf,
} from '../lib/mas-episode.checks.js';
import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import type { EpisodeContext } from '../lib/mas-episode.types.js';
import { timeSteps } from './episode-alphabet.js';
import { cannotReach, type Property } from './model-checker.js';

const hasAlert = (context: EpisodeContext, id: string) =>
  context.alerts.some((alert) => alert.id === id);

const isFinal = (snapshot: EpisodeSnapshot) => snapshot.status === 'done';

const probeActor: EpisodeActor = { id: 'probe', role: 'clinician' };
const probe = (
  snapshot: EpisodeSnapshot,
  type: EpisodeEvent['type'],
  payload: unknown,
): EpisodeEvent =>
  ({
    type,
    at: snapshot.context.now,
    actor: probeActor,
    payload,
  }) as EpisodeEvent;

export const episodeProperties: readonly Property[] = [
  {
    id: 'P1',
    name: 'No second-line or refractory therapy before a glucocorticoid, unless background or with a recorded rationale (and then the alert is active)',
    protects: ['seed.lead', 'seed.initial.1', 'review.section-10'],
    kind: 'transition',
    holds: (before, event, after) => {
      if (event.type !== 'therapy.started') return true;
      const therapyClass = therapyClassOf(event.payload.drug);
      if (therapyClass !== 'second-line' && therapyClass !== 'refractory') {
        return true;
      }
      if (before.context.firstGlucocorticoidAt !== null) return true;
      return (
        event.rationale !== undefined &&
        hasAlert(after.context, 'second-line-before-glucocorticoid')
      );
    },
  },
  {
    id: 'P2',
    name: 'No refractory therapy without a recorded inadequate response or rapid worsening, and either approval by a second, different senior or an emergency start awaiting countersignature',
    protects: ['seed.refractory.1', 'seed.second-line.1', 'review.section-10'],
    kind: 'transition',
    holds: (before, event, after) => {
      if (event.type !== 'therapy.started') return true;
      const { drug } = event.payload;
      if (therapyClassOf(drug) !== 'refractory') return true;
      const context = before.context;
      if (!context.inadequateResponseRecorded && !context.rapidlyWorsening) {
        return false;
      }
      const approved = context.escalationRequests.some(
        (r) =>
          r.drug === drug &&
          r.status === 'approved' &&
          r.decidedBy !== undefined &&
          r.decidedBy.role === 'senior-clinician' &&
          r.decidedBy.id !== r.requestedBy.id,
      );
      const start = after.context.emergencyStarts.at(-1);
      const emergency =
        event.payload.emergency === true &&
        event.rationale !== undefined &&
        start !== undefined &&
        after.context.emergencyStarts.length >
          before.context.emergencyStarts.length &&
        after.context.dues[`countersignature:${start.id}`]?.dueAt != null;
      return approved || emergency;
    },
  },
  {
    id: 'P2b',
    name: 'An emergency start whose countersignature lapsed raises the alert',
    protects: ['review.section-10'],
    kind: 'state',
    holds: ({ context }) =>
      context.emergencyStarts.every(
        (start) =>
          start.countersignedBy !== undefined ||
          context.dues[`countersignature:${start.drug}`]?.firedAt == null ||
          hasAlert(context, 'countersignature-overdue'),
      ),
  },
  {
    id: 'P3',
    name: 'No rituximab without EBV recorded',
    protects: ['seed.refractory.4', 'review.section-10'],
    kind: 'transition',
    holds: (before, event) =>
      event.type !== 'therapy.started' ||
      event.payload.drug !== 'rituximab' ||
      before.context.triggers.ebv,
  },
  {
    id: 'P4',
    name: 'Infection trigger without antimicrobials and without a recorded decision raises the alert',
    protects: ['seed.subtype.3', 'seed.pitfalls.2'],
    kind: 'state',
    holds: (snapshot) => {
      const { context } = snapshot;
      if (isFinal(snapshot)) return true;
      const uncovered =
        context.triggers.infection &&
        !context.antimicrobialsActive &&
        context.decisions['infection-antimicrobials'] === undefined;
      return (
        !uncovered || hasAlert(context, 'infection-without-antimicrobials')
      );
    },
  },
  {
    id: 'P5',
    name: 'CNS involvement without dexamethasone and without a recorded decision raises the alert',
    protects: ['seed.initial.2', 'review.section-10'],
    kind: 'state',
    holds: (snapshot) => {
      const { context } = snapshot;
      if (isFinal(snapshot)) return true;
      const open =
        context.cnsInvolvement &&
        !context.therapies.some((t) => t.drug === 'dexamethasone') &&
        context.decisions['cns-dexamethasone'] === undefined;
      return !open || hasAlert(context, 'cns-without-dexamethasone');
    },
  },
  {
    id: 'P6',
    name: 'An immunosuppressant active and time past the due reassessment: overdue is flagged, whatever the hold',
    protects: ['seed.monitoring.1', 'review.section-10'],
    kind: 'state',
    holds: (snapshot) => {
      const { context } = snapshot;
      // In remission the 12-hourly reassessment stops (a relapse restarts it).
      if (
        isFinal(snapshot) ||
        context.inRemission ||
        !isImmunosuppressed(context)
      ) {
        return true;
      }
      const due = context.dues['reassessment'];
      if (due?.dueAt == null || due.pausedAt !== null) return false;
      const past = Date.parse(context.now) > Date.parse(due.dueAt);
      return (
        !past ||
        (hasAlert(context, 'reassessment-overdue') &&
          snapshot.hasTag('overdue'))
      );
    },
  },
  {
    id: 'P7',
    name: 'Glucocorticoid, antimicrobial, transfusion and organ-support events are enabled in every non-final state',
    protects: ['review.section-10', 'seed.supportive.1', 'seed.supportive.2'],
    kind: 'state',
    holds: (snapshot) => {
      if (isFinal(snapshot)) return true;
      const { context } = snapshot;
      const glucocorticoid = ['methylprednisolone', 'dexamethasone'].some(
        (drug) =>
          isActive(context, drug) ||
          snapshot.can(probe(snapshot, 'therapy.started', { drug })),
      );
      const antimicrobial = snapshot.can(
        probe(snapshot, 'antimicrobials.started', { agents: ['probe'] }),
      );
      const support = ['transfusion', ...organSupportKinds].every(
        (kind) =>
          context.support.includes(kind as (typeof context.support)[number]) ||
          snapshot.can(probe(snapshot, 'support.started', { kind })),
      );
      return glucocorticoid && antimicrobial && support;
    },
  },
  {
    id: 'P8',
    name: 'Organ support, CNS involvement or haemorrhage while not marked severe raises "severity underestimated"',
    protects: ['seed.pitfalls.4'],
    kind: 'state',
    holds: (snapshot) => {
      const { context } = snapshot;
      if (isFinal(snapshot)) return true;
      const organSupport = context.support.some((kind) =>
        organSupportKinds.includes(kind),
      );
      const concern =
        organSupport || context.cnsInvolvement || context.hemorrhage;
      return (
        !concern ||
        context.severe ||
        hasAlert(context, 'severity-underestimated')
      );
    },
  },
  {
    id: 'P9',
    name: 'Emapalumab only with TB screening and prophylaxis recorded or overridden; rituximab only with HBV serology recorded or overridden',
    protects: [
      'seed.refractory.1',
      'seed.refractory.4',
      'lit.emapalumab-label',
      'lit.rituximab-label',
    ],
    kind: 'transition',
    holds: (before, event) => {
      if (event.type !== 'therapy.started') return true;
      const needed: readonly string[] =
        (
          masProtocolDefinition.requiredScreenings as Record<
            string,
            readonly string[]
          >
        )[event.payload.drug] ?? [];
      return needed.every(
        (kind) =>
          before.context.screenings[
            kind as keyof EpisodeContext['screenings']
          ] !== undefined,
      );
    },
  },
  {
    id: 'P10a',
    name: 'From every non-final state an outcome is reachable',
    protects: ['seed.monitoring.3', 'review.section-10'],
    kind: 'graph',
    failing: (graph) =>
      cannotReach(
        graph,
        (node) => node.summary.final,
        (node) => !node.summary.final,
      ),
  },
  {
    id: 'P10b',
    name: 'From remission and taper a relapse is reachable (remission is not final)',
    protects: ['review.section-10'],
    kind: 'graph',
    failing: (graph) =>
      cannotReach(
        graph,
        (node) =>
          node.summary.relapses > 0 && node.summary.treatment === 'active',
        (node) =>
          node.summary.treatment === 'remission' ||
          node.summary.treatment === 'taper',
      ),
  },
  {
    id: 'P10c',
    name: 'No dead ends: every non-final state has a successor',
    protects: ['review.section-10'],
    kind: 'graph',
    failing: (graph) =>
      [...graph.nodes.values()]
        .filter((node) => !node.summary.final && node.successors.length === 0)
        .map((node) => node.key),
  },
];

/** What the abstract state key records, besides the state value. */
export function abstractKey(snapshot: EpisodeSnapshot): string {
  const { context } = snapshot;
  const now = Date.parse(context.now);
  // Buckets aligned with the alphabet's time steps.
  const steps = timeSteps(context);
  const dues = Object.entries(context.dues)
    .filter(
      ([id, due]) => !id.startsWith('countersignature:') || due.dueAt !== null,
    )
    .map(([id, due]) => {
      if (due.dueAt === null) return `${id}:-`;
      if (due.firedAt !== null) return `${id}:fired`;
      if (due.pausedAt !== null) return `${id}:paused`;
      const hours = (Date.parse(due.dueAt) - now) / 3_600_000;
      return `${id}:${hours <= steps.short ? 'soon' : hours <= steps.long ? 'mid' : 'far'}`;
    })
    .sort();
  return JSON.stringify([
    snapshot.status,
    snapshot.value,
    context.suspicionAt !== null,
    context.firstGlucocorticoidAt !== null,
    // Repeat pulses of one drug are one active drug for the guards.
    [
      ...new Set(
        activeTherapies(context).map(
          (t) =>
            `${t.drug}${t.background ? ':bg' : ''}${t.emergency ? ':em' : ''}`,
        ),
      ),
    ].sort(),
    context.therapies.some((t) => t.drug === 'dexamethasone'),
    context.severe,
    context.rapidlyWorsening,
    context.cnsInvolvement,
    context.hemorrhage,
    context.inadequateResponseRecorded,
    context.lastResponse?.verdict ?? null,
    context.triggers,
    context.antimicrobialsActive,
    Object.keys(context.decisions).sort(),
    context.malignancyTreatmentStarted,
    [...context.support].sort(),
    // Guards read only whether a drug's screenings are complete: the count
    // of those recorded (the kinds are interchangeable) keeps that exact.
    Object.entries(masProtocolDefinition.requiredScreenings).map(
      ([drug, kinds]) =>
        `${drug}:${(kinds as readonly string[]).filter((kind) => kind in context.screenings).length}`,
    ),
    // Guards read, per drug: the latest request's status and whether one is
    // open (pending or approved); older closed requests change nothing.
    [...new Set(context.escalationRequests.map((r) => r.drug))].map((drug) => {
      const requests = context.escalationRequests.filter(
        (r) => r.drug === drug,
      );
      const open = requests
        .filter((r) => r.status === 'pending' || r.status === 'approved')
        .map((r) => r.status);
      return `${drug}:${requests.at(-1)?.status ?? '-'}:${[...new Set(open)].sort().join('+')}`;
    }),
    context.emergencyStarts.map(
      (s) => `${s.drug}:${s.countersignedBy ? 'signed' : 'open'}`,
    ),
    dues,
    context.hold !== null,
    context.clinicalDiagnosisWithoutCriteria,
    context.inRemission,
    context.missingMonitoringItems.length > 0,
    Math.min(context.relapses, 1),
    context.unrecognisedSuggestiveAt !== null,
    context.criteriaMetAt !== null,
    context.tocilizumabGiven,
  ]);
}
