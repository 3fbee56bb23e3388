/**
 * CDS Hooks 2.0 cards from the protocol: what is due, overdue and open on a
 * patient's episode (`patient-view`), and whether a drug being ordered is
 * allowed now, why or why not, with its evidence and the standard dose
 * (`order-sign`). Pure: the episode's explanation in, cards out.
 */
import { type EventOption, protocolDrugInText } from '@mas/mas-episode';
import {
  alertLabel,
  type DoseResult,
  drugCode,
  type DrugId,
  drugIds,
  subjectLabel,
} from '@mas/protocol';

/** A CDS Hooks card (the fields this service sends). */
export interface Card {
  readonly uuid: string;
  readonly summary: string;
  readonly detail?: string;
  readonly indicator: 'info' | 'warning' | 'critical';
  readonly source: { readonly label: string; readonly topic?: Coding };
  readonly links?: readonly {
    readonly label: string;
    readonly url: string;
    readonly type: 'absolute';
  }[];
  readonly overrideReasons?: readonly Coding[];
}

interface Coding {
  readonly system?: string;
  readonly code: string;
  readonly display?: string;
}

/** What the cards read of one episode. */
export interface CardEpisode {
  readonly id: string;
  readonly stage: string;
  readonly nextDueAt: string | null;
  readonly overdue: boolean;
  readonly alerts: readonly {
    readonly id: string;
    readonly severity: 'critical' | 'warning' | 'info';
    readonly message: string;
    readonly evidence: readonly string[];
  }[];
  readonly allowed: readonly EventOption[];
  readonly blocked: readonly EventOption[];
}

/** Where a card's words come from: always said to be decision support. */
export const CARD_SOURCE = {
  label: 'MAS treatment protocol (decision support, not a medical device)',
} as const;

/** Why a clinician may override an order-sign card (sent back as feedback). */
export const OVERRIDE_REASONS: readonly Coding[] = [
  {
    system: 'urn:mas-orchestrator:cds-override',
    code: 'senior-decision',
    display: 'Senior decision recorded on the episode',
  },
  {
    system: 'urn:mas-orchestrator:cds-override',
    code: 'emergency',
    display: 'Emergency: countersignature to follow',
  },
  {
    system: 'urn:mas-orchestrator:cds-override',
    code: 'not-for-mas',
    display: 'Ordered for another indication',
  },
];

const evidenceWords = (ids: readonly string[]) =>
  ids.length === 0 ? '' : ` Evidence: ${ids.join(', ')}.`;

function episodeLink(appUrl: string, id: string) {
  return {
    label: 'Open the MAS episode',
    url: `${appUrl}/#/episodes/${id}`,
    type: 'absolute' as const,
  };
}

/** `patient-view`: what is due or overdue, and the open alerts. */
export function patientViewCards(
  episode: CardEpisode,
  appUrl: string,
  uuid: () => string,
): Card[] {
  const link = episodeLink(appUrl, episode.id);
  const cards: Card[] = [];
  if (episode.nextDueAt !== null) {
    cards.push({
      uuid: uuid(),
      summary: episode.overdue
        ? `MAS: reassessment overdue (was due ${episode.nextDueAt})`
        : `MAS: next reassessment due ${episode.nextDueAt}`,
      detail: `Stage: ${episode.stage}.`,
      indicator: episode.overdue ? 'critical' : 'info',
      source: CARD_SOURCE,
      links: [link],
    });
  }
  for (const alert of episode.alerts) {
    cards.push({
      uuid: uuid(),
      summary: `MAS: ${alertLabel(alert.id)}`.slice(0, 140),
      detail: `${alert.message}${evidenceWords(alert.evidence)}`,
      indicator: alert.severity,
      source: CARD_SOURCE,
      links: [link],
    });
  }
  return cards;
}

/** The protocol drug a MedicationRequest orders (by ATC code or name), or null. */
export function orderedDrug(request: unknown): DrugId | null {
  if (typeof request !== 'object' || request === null) return null;
  const concept: unknown = (request as { medicationCodeableConcept?: unknown })
    .medicationCodeableConcept;
  // (The service refuses a malformed concept first; here anything else is
  // read as naming no drug.)
  if (typeof concept !== 'object' || concept === null) return null;
  const { coding, text } = concept as { coding?: unknown; text?: unknown };
  const codings = (Array.isArray(coding) ? (coding as unknown[]) : []).filter(
    (item): item is { system?: unknown; code?: unknown; display?: unknown } =>
      typeof item === 'object' && item !== null,
  );
  for (const coding of codings) {
    for (const drug of drugIds) {
      const code = drugCode(drug);
      if (
        code !== null &&
        coding.system === 'http://www.whocc.no/atc' &&
        coding.code === code.code
      ) {
        return drug;
      }
    }
  }
  // By whole words, as the machine reads a medication's name: "dexa" or
  // "Solu-Medrol" names a protocol drug; a piece of another word never does.
  for (const words of [text, ...codings.map((c) => c.display)]) {
    if (typeof words !== 'string') continue;
    const drug = protocolDrugInText(words);
    if (drug !== null) return drug;
  }
  return null;
}

function doseWords(dose: DoseResult | string): string {
  if (typeof dose === 'string') return ` No standard dose: ${dose}.`;
  const cap = dose.caps.find((c) => c.applied);
  return ` Standard dose by the protocol's rules: ${String(dose.doseMg)} mg per ${dose.per}${
    cap
      ? ` (capped: ${cap.description}; ${String(dose.uncappedDoseMg)} mg before the cap)`
      : ''
  }.`;
}

function measuresWords(measures: string | null): string {
  return measures === null ? '' : ` Measures: ${measures}.`;
}

/**
 * `order-sign`: one card per protocol drug ordered, saying whether the
 * protocol allows starting it now (and if not, why, and what is allowed
 * instead: the request for a second senior's approval), with the dose.
 */
export function orderSignCard(
  episode: CardEpisode,
  drug: DrugId,
  dose: DoseResult | string,
  appUrl: string,
  uuid: () => string,
  /** The weight or height the dose is computed from, older than allowed. */
  measures: string | null = null,
): Card {
  const start = (option: EventOption) =>
    option.type === 'therapy.started' && option.variant === drug;
  const allowed = episode.allowed.find(start);
  const blocked = episode.blocked.find(start);
  const request = episode.allowed.find(
    (o) => o.type === 'escalation.requested' && o.variant === drug,
  );
  const name = subjectLabel(drug);
  const link = episodeLink(appUrl, episode.id);
  if (allowed) {
    return {
      uuid: uuid(),
      summary: `MAS protocol: ${name} may be started now`,
      detail: `${allowed.reason}.${evidenceWords(allowed.evidence)}${doseWords(dose)}${measuresWords(measures)}`,
      indicator:
        allowed.status === 'allowed-with-rationale' ? 'warning' : 'info',
      source: CARD_SOURCE,
      links: [link],
    };
  }
  const why = blocked?.reason ?? 'not an action of the episode now';
  return {
    uuid: uuid(),
    summary: `MAS protocol: ${name} is not allowed now`.slice(0, 140),
    detail: `${why}.${evidenceWords(blocked?.evidence ?? [])}${
      request
        ? ` Allowed instead: ${request.label} (a second senior approves).`
        : ''
    }${doseWords(dose)}${measuresWords(measures)}`,
    indicator: 'warning',
    source: CARD_SOURCE,
    links: [link],
    overrideReasons: OVERRIDE_REASONS,
  };
}
