/**
 * Who may record an event and when its clinical times may lie: the rules of
 * the protocol's recording data (libs/protocol, recording-rules), checked
 * before the clinical check of the event.
 *
 * - Roles per event type: only prescribers start, change or stop a therapy
 *   or decide a diagnosis; the scheduler's clock event comes from the
 *   service alone.
 * - Clinical times (the event's own time, `givenAt`, `collectedAt`,
 *   `stoppedAt`, `measuredAt`) may not lie after the event's time by more than the clock
 *   skew (a drug is not recorded before it is given), nor before the episode
 *   opened by more than the look-back; before the opening needs a rationale.
 *   The service checks the event's time against its own clock.
 */
import type { EpisodeEvent } from '@mas/contracts';
import { describeRoles, recordingRules, rolesFor } from '@mas/protocol';

import type { Check, EpisodeContext } from './mas-episode.types.js';
import { addHours, toMs } from './time.util.js';

const evidence = recordingRules.evidence;

const pass: Check = {
  ok: true,
  reason: 'recorded by an allowed role at an allowed time',
  evidence,
};

function refuse(reason: string, rationaleWouldAllow = false): Check {
  return {
    ok: false,
    reason,
    evidence,
    ...(rationaleWouldAllow ? { rationaleWouldAllow } : {}),
  };
}

export function checkRole(event: EpisodeEvent): Check {
  const roles = rolesFor(event.type);
  if (roles.includes(event.actor.role)) return pass;
  if (event.type === 'clock.ticked') {
    return refuse(
      'the clock is moved by the service scheduler alone, never by a user',
    );
  }
  return refuse(
    `${event.type} is recorded by a ${describeRoles(roles)}, not by the ${recordingRules.roleLabels[event.actor.role]} role`,
  );
}

/** The clinical times an event carries, by field name. */
export function clinicalTimes(
  event: EpisodeEvent,
): { field: string; at: string }[] {
  const times = [{ field: 'at', at: event.at }];
  const payload = event.payload as Record<string, unknown>;
  for (const field of ['givenAt', 'collectedAt', 'stoppedAt', 'measuredAt']) {
    const value = payload[field];
    if (typeof value === 'string')
      times.push({ field: `payload.${field}`, at: value });
  }
  return times;
}

export function checkTimes(
  context: EpisodeContext,
  event: EpisodeEvent,
): Check {
  if (event.type === 'clock.ticked') return pass;
  const { futureSkewMinutes, lookBackHours } = recordingRules.time;
  const earliest = addHours(context.openedAt, -lookBackHours);
  const latest = toMs(event.at) + futureSkewMinutes * 60_000;
  let beforeOpening: string | null = null;
  for (const { field, at } of clinicalTimes(event)) {
    if (field !== 'at' && toMs(at) > latest) {
      return refuse(
        `${field} ${at} lies after the time the event was recorded (${event.at}) by more than the allowed clock skew of ${futureSkewMinutes} min`,
      );
    }
    if (toMs(at) < toMs(earliest)) {
      return refuse(
        `${field} ${at} lies more than ${lookBackHours} h before the episode opened (${context.openedAt}): the look-back of the recording rules`,
      );
    }
    // Within the clock skew of the opening is the admission itself.
    if (toMs(at) < toMs(context.openedAt) - futureSkewMinutes * 60_000) {
      beforeOpening ??= field;
    }
  }
  if (beforeOpening !== null && !event.rationale) {
    return refuse(
      `a rationale is required: ${beforeOpening} lies before the episode opened (${context.openedAt}); recording what happened before admission is allowed with a rationale`,
      true,
    );
  }
  return pass;
}
