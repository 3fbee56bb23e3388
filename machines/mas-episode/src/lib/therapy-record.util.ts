/**
 * What a therapy record must be before the machine takes it: complete (the
 * contract makes dose, route, schedule and time required) and checked against
 * the dose rules for this patient in two tiers (hard limits refuse; soft
 * limits need the prescriber's confirmation), and, for a drug outside the
 * protocol's table, never one of the protocol's own drugs.
 */
import type { EpisodeEventOf } from '@mas/contracts';
import {
  checkRecordedDose,
  type DoseCheck,
  drugAliases,
  drugIds,
  recordedDoseUnits,
  recordingRules,
} from '@mas/protocol';

import type {
  Check,
  EpisodeContext,
  TherapyDoseCheck,
} from './mas-episode.types.js';

/**
 * What a therapy record lacks (the contract requires it all; a record that
 * got past it some other way is refused here too), or null.
 */
export function incompleteRecord(
  payload: Partial<EpisodeEventOf<'therapy.started'>['payload']>,
): string | null {
  const missing = (['dose', 'route', 'schedule', 'givenAt'] as const).filter(
    (field) => payload[field] === undefined,
  );
  if (missing.length > 0) {
    return `a therapy record needs ${missing.join(', ')}: ${missing.length > 1 ? 'they are' : 'it is'} required`;
  }
  const dose = payload.dose;
  if (
    !dose ||
    !(dose.value > 0) ||
    !Number.isFinite(dose.value) ||
    !(recordedDoseUnits as readonly string[]).includes(dose.unit)
  ) {
    return `dose must be a positive amount in ${recordedDoseUnits.join(', ')}`;
  }
  return null;
}

/**
 * Dose checks already made, per patient and profile object (a context keeps
 * both for its life; the model checker asks the same question in many
 * states), then per record. The check is a pure function of these.
 */
const doseChecks = new WeakMap<
  EpisodeContext['patient'],
  WeakMap<EpisodeContext['profileData'], Map<string, DoseCheck>>
>();

/** The dose check of a therapy start, for this patient and profile. */
export function recordedDoseCheck(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
): DoseCheck {
  const { drug, dose, route, schedule, creatinineClearanceMlMin } =
    event.payload;
  let byProfile = doseChecks.get(context.patient);
  if (!byProfile) {
    byProfile = new WeakMap();
    doseChecks.set(context.patient, byProfile);
  }
  let byRecord = byProfile.get(context.profileData);
  if (!byRecord) {
    byRecord = new Map();
    byProfile.set(context.profileData, byRecord);
  }
  const key = JSON.stringify([
    drug,
    dose,
    route,
    schedule,
    creatinineClearanceMlMin,
  ]);
  const hit = byRecord.get(key);
  if (hit) return hit;
  const check = uncachedDoseCheck(context, event);
  byRecord.set(key, check);
  return check;
}

function uncachedDoseCheck(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
): DoseCheck {
  const { drug, dose, route, schedule, creatinineClearanceMlMin } =
    event.payload;
  return checkRecordedDose({
    drug,
    dose,
    route,
    schedule,
    patient: {
      weightKg: context.patient.weightKg,
      heightCm: context.patient.heightCm,
      // Where the prescriber gave it (a renal rule needs it).
      ...(creatinineClearanceMlMin === undefined
        ? {}
        : { creatinineClearanceMlMin }),
    },
    purpose: 'mas',
    profile: { data: context.profileData, hash: context.profile.hash },
  });
}

/** The computed dose in words: "600-720 mg per infusion". */
export function computedText(check: DoseCheck): string | undefined {
  const computed = check.computed;
  if (!computed) return undefined;
  const range =
    computed.minMg === undefined || computed.minMg === computed.maxMg
      ? `${computed.minMg === undefined ? 'up to ' : ''}${computed.maxMg} mg`
      : `${computed.minMg}-${computed.maxMg} mg`;
  return `${range} per ${computed.per}`;
}

/** What the record keeps of the check. */
export function therapyDoseCheck(
  check: DoseCheck,
  event: EpisodeEventOf<'therapy.started'>,
): TherapyDoseCheck {
  const computed = computedText(check);
  const alerts = check.alerts.length > 0 ? { alerts: check.alerts } : {};
  if (check.tier === 'soft') {
    return {
      tier: 'soft',
      messages: check.messages,
      ...(computed ? { computed } : {}),
      confirmedBy: event.actor,
      confirmation: event.payload.doseConfirmation ?? '',
      ...alerts,
    };
  }
  if (check.tier === 'unchecked') {
    return {
      tier: 'unchecked',
      messages: check.uncheckedReason ? [check.uncheckedReason] : [],
      ...(computed ? { computed } : {}),
      ...alerts,
    };
  }
  return {
    tier: 'within',
    messages: [],
    ...(computed ? { computed } : {}),
    ...alerts,
  };
}

/**
 * The dose gate: a dose above a hard limit is refused whatever is said; a
 * dose outside a soft limit needs `doseConfirmation` (the form asks a second
 * time, showing the computed dose).
 */
export function checkTherapyDose(
  context: EpisodeContext,
  event: EpisodeEventOf<'therapy.started'>,
): Check {
  const incomplete = incompleteRecord(event.payload);
  if (incomplete !== null) {
    return { ok: false, reason: incomplete, evidence: recordingRules.evidence };
  }
  const check = recordedDoseCheck(context, event);
  const evidence = [
    ...new Set(check.limits.flatMap((limit) => limit.evidence)),
  ];
  const text = computedText(check);
  const computed = text ? ` (computed for this patient: ${text})` : '';
  if (check.tier === 'hard') {
    return {
      ok: false,
      reason: `hard dose limit: ${check.messages.join('; ')}${computed}`,
      evidence,
    };
  }
  if (check.tier === 'soft' && !event.payload.doseConfirmation) {
    return {
      ok: false,
      reason: `outside the dose range, confirm with a reason (doseConfirmation): ${check.messages.join('; ')}${computed}`,
      evidence,
      confirmationWouldAllow: true,
    };
  }
  return {
    ok: true,
    reason:
      check.tier === 'soft'
        ? `outside the dose range, confirmed by ${event.actor.id}: ${event.payload.doseConfirmation ?? ''}`
        : check.tier === 'unchecked'
          ? `dose not checked: ${check.uncheckedReason ?? 'no rule'}`
          : `dose within the limits${computed}`,
    evidence,
  };
}

const protocolNames = new Set<string>([
  ...drugIds,
  ...Object.keys(drugAliases),
]);

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

/** The protocol drug an "other therapy" coding names, if any. */
export function protocolDrugNamed(
  medication: EpisodeEventOf<'other-therapy.started'>['payload']['medication'],
): string | null {
  const byName = words(medication.display).find((word) =>
    protocolNames.has(word),
  );
  if (byName) return drugAliases[byName] ?? byName;
  const codes =
    recordingRules.otherTherapy.protocolDrugCodes[medication.system] ?? [];
  return codes.includes(medication.code.toUpperCase())
    ? `${medication.code} (a drug of the protocol's table)`
    : null;
}

/** An oral prednisolone or prednisone: the taper the protocol tracks. */
export function isGlucocorticoidTaper(
  payload: EpisodeEventOf<'other-therapy.started'>['payload'],
): boolean {
  const taper = recordingRules.otherTherapy.glucocorticoidTaper;
  if (!(taper.routes as readonly string[]).includes(payload.route)) {
    return false;
  }
  const codes = taper.codes[payload.medication.system] ?? [];
  return (
    codes.includes(payload.medication.code.toUpperCase()) ||
    words(payload.medication.display).some((word) =>
      (taper.names as readonly string[]).includes(word),
    )
  );
}

export function checkOtherTherapy(
  context: EpisodeContext,
  event: EpisodeEventOf<'other-therapy.started'>,
): Check {
  const evidence = recordingRules.evidence;
  const named = protocolDrugNamed(event.payload.medication);
  if (named !== null) {
    return {
      ok: false,
      reason: `${named} is in the protocol's table: record it as therapy.started, where its own rules (approvals included) apply`,
      evidence,
    };
  }
  if (
    context.otherTherapies.some((t) => t.recordId === event.payload.recordId)
  ) {
    return {
      ok: false,
      reason: `record id ${event.payload.recordId} is already used in this episode`,
      evidence,
    };
  }
  return {
    ok: true,
    reason: isGlucocorticoidTaper(event.payload)
      ? 'oral glucocorticoid: recognised as the taper the protocol tracks'
      : 'other therapy: recorded, it does not steer the protocol',
    evidence,
  };
}
