import { initialTransition } from 'xstate';
import { z } from 'zod';

import {
  instantSchema,
  parseEpisodeEvent,
  parseOrThrow,
  patientSchema,
} from '@mas/contracts';
import {
  activeTherapies,
  describeStage,
  type EpisodeSnapshot,
  explainRefusal,
  explainSnapshot,
  masEpisodeMachine,
  stepEpisode,
} from '@mas/mas-episode';
import {
  ClinicalInputError,
  deployedProtocolVersion,
  eventLabelOf,
  type InstitutionProfile,
  masProtocol,
} from '@mas/protocol';

const replayInputSchema = z
  .object({
    patient: z.unknown(),
    events: z.array(z.unknown()),
    episodeId: z.string().trim().min(1).optional(),
    openedAt: instantSchema.optional(),
    initialStage: z.enum(['at-risk', 'suspected']).optional(),
    /** The protocol version the episode opened under (default: 1.0.0). */
    protocolVersion: z.string().trim().min(1).max(20).optional(),
  })
  .strict();

function hoursSince(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null;
  return (
    Math.round(((Date.parse(to) - Date.parse(from)) / 3_600_000) * 100) / 100
  );
}

/** What the replay prints about the final snapshot. */
export function describeEpisode(snapshot: EpisodeSnapshot) {
  const context = snapshot.context;
  const explanation = explainSnapshot(snapshot);
  return {
    value: snapshot.value,
    stage: describeStage(snapshot),
    protocol: snapshot.context.protocol,
    final: explanation.final,
    tags: explanation.tags,
    summary: {
      episodeId: context.episodeId,
      patient: context.patient.identifier,
      protocol: context.protocol,
      profile: context.profile,
      openedAt: context.openedAt,
      now: context.now,
      outcome: context.outcome,
      suspicionAt: context.suspicionAt,
      firstGlucocorticoidAt: context.firstGlucocorticoidAt,
      hoursSuspicionToGlucocorticoid: hoursSince(
        context.suspicionAt,
        context.firstGlucocorticoidAt,
      ),
      firstTargetedTherapyAt: context.firstTargetedTherapyAt,
      hoursOpeningToTargetedTherapy: hoursSince(
        context.openedAt,
        context.firstTargetedTherapyAt,
      ),
      activeTherapies: activeTherapies(context).map((t) => ({
        drug: t.drug,
        class: t.therapyClass,
        since: t.startedAt,
        background: t.background,
        ...(t.dose ? { dose: t.dose } : {}),
        ...(t.route ? { route: t.route } : {}),
        ...(t.schedule ? { schedule: t.schedule } : {}),
        ...(t.recordedAt ? { recordedAt: t.recordedAt } : {}),
        ...(t.doseCheck ? { doseCheck: t.doseCheck } : {}),
      })),
      otherTherapies: context.otherTherapies
        .filter((t) => t.stoppedAt === undefined)
        .map((t) => ({
          medication: t.medication,
          dose: t.dose,
          route: t.route,
          schedule: t.schedule,
          since: t.startedAt,
          glucocorticoidTaper: t.glucocorticoidTaper,
        })),
      severe: context.severe,
      rapidlyWorsening: context.rapidlyWorsening,
      lastResponse: context.lastResponse,
      reassessments: context.reassessments,
      dues: context.dues,
      firedDues: context.firedDues,
      relapses: context.relapses,
    },
    alerts: explanation.alerts,
    allowed: explanation.allowed.map((o) => ({
      type: o.type,
      ...(o.variant === undefined ? {} : { variant: o.variant }),
      label: o.label,
      ...(o.status === 'allowed-with-rationale'
        ? { requiresRationale: true }
        : {}),
    })),
    blocked: explanation.blocked.map((o) => ({
      type: o.type,
      ...(o.variant === undefined ? {} : { variant: o.variant }),
      label: o.label,
      reason: o.reason,
      evidence: o.evidence,
    })),
  };
}

/**
 * Replays `{ patient, events }` through the care-episode machine. A rejected
 * event stops the replay with a ClinicalInputError naming it and the reason.
 */
export function replay(input: unknown, profile: InstitutionProfile) {
  const parsed = parseOrThrow(replayInputSchema, input, 'input');
  const patient = parseOrThrow(patientSchema, parsed.patient, 'patient');
  const events = parsed.events.map((event, index) =>
    parseEpisodeEvent(event, `events[${index}]`),
  );
  const openedAt = parsed.openedAt ?? events[0]?.at;
  if (openedAt === undefined) {
    throw new ClinicalInputError(
      'openedAt',
      'is required when there are no events',
    );
  }
  let [snapshot] = initialTransition(masEpisodeMachine, {
    episodeId: parsed.episodeId ?? `replay-${patient.identifier}`,
    patient,
    openedAt,
    initialStage: parsed.initialStage ?? 'suspected',
    profile,
    protocolVersion: deployedProtocolVersion(
      parsed.protocolVersion ?? masProtocol.version,
      'protocolVersion',
    ).version,
  });
  events.forEach((event, index) => {
    const refusal = explainRefusal(snapshot, event);
    if (refusal) {
      const what = `${eventLabelOf(event.type, event.payload)}: ${event.type}`;
      throw new ClinicalInputError(
        `events[${index}]`,
        `(${what} at ${event.at}) rejected: ${refusal.reason}${refusal.evidence.length > 0 ? ` [${refusal.evidence.join(', ')}]` : ''}`,
      );
    }
    [snapshot] = stepEpisode(snapshot, event);
  });
  return describeEpisode(snapshot);
}
