/** Clinical words for ids (see clinical-labels.constant.ts). Pure functions. */
import {
  type ActionGroup,
  alertLabels,
  drugLabels,
  dueLabels,
  escalationDecisionLabels,
  eventLabels,
  type EventWords,
  stateLabels,
  subjectLabels,
  unitLabels,
} from './clinical-labels.constant.js';

/** The tables by any string (an unknown id finds nothing). */
const eventWords: Readonly<Record<string, EventWords>> = eventLabels;
const alertWords: Readonly<Record<string, string>> = alertLabels;

/** A drug, kind, trigger or topic in words (a free text is its own word). */
export function subjectLabel(subject: string): string {
  return (
    (drugLabels as Readonly<Record<string, string>>)[subject] ??
    subjectLabels[subject] ??
    subject
  );
}

/**
 * An event in words: its label with the subject (a drug, kind or topic) in
 * place, in the wording of its qualifier where it has one (an emergency
 * start). An event the table lacks keeps its id (a test holds the table
 * complete).
 */
export function eventLabel(
  type: string,
  subject?: string,
  qualifier?: string,
): string {
  const entry =
    (qualifier === undefined
      ? undefined
      : eventWords[`${type}:${qualifier}`]) ?? eventWords[type];
  if (entry === undefined) return type;
  const text =
    subject === undefined
      ? (entry.general ?? entry.label)
      : entry.label.replace('{subject}', subjectLabel(subject));
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * What an event's payload says it is about, for its label: the drug, kind,
 * trigger, topic or medication it names, and its special form (an
 * emergency start; a diagnosis on the criteria or on clinical grounds).
 */
export function eventWording(
  type: string,
  payload: unknown,
): { readonly subject?: string; readonly qualifier?: string } {
  const fields =
    payload !== null && typeof payload === 'object'
      ? (payload as Record<string, unknown>)
      : {};
  const text = (value: unknown) =>
    typeof value === 'string' && value.length > 0 ? value : undefined;
  const medication = fields['medication'];
  // An adopted profile by its id and version.
  const profile = fields['profile'];
  const profileWords =
    profile !== null && typeof profile === 'object'
      ? [
          text((profile as Record<string, unknown>)['profileId']),
          text((profile as Record<string, unknown>)['version']),
        ]
          .filter((part) => part !== undefined)
          .join(' ')
      : '';
  const subject =
    text(profileWords) ??
    text(fields['drug']) ??
    text(fields['kind']) ??
    text(fields['trigger']) ??
    text(fields['topic']) ??
    text(fields['toVersion']) ??
    // A correction by the entry it marks entered in error.
    (type === 'entry.voided' && typeof fields['seq'] === 'number'
      ? String(fields['seq'])
      : undefined) ??
    (medication !== null && typeof medication === 'object'
      ? text((medication as Record<string, unknown>)['display'])
      : undefined);
  const qualifier =
    fields['emergency'] === true
      ? 'emergency'
      : fields['doseIncreased'] === true
        ? 'dose-increased'
        : type === 'diagnosis.confirmed'
          ? text(fields['basis'])
          : undefined;
  return {
    ...(subject === undefined ? {} : { subject }),
    ...(qualifier === undefined ? {} : { qualifier }),
  };
}

/** An event of the audit in words, from its type and payload. */
export function eventLabelOf(type: string, payload: unknown): string {
  const { subject, qualifier } = eventWording(type, payload);
  return eventLabel(type, subject, qualifier);
}

/** The task an event belongs to. */
export function eventGroup(type: string, qualifier?: string): ActionGroup {
  return (
    (qualifier === undefined
      ? undefined
      : eventWords[`${type}:${qualifier}`]?.group) ??
    eventWords[type]?.group ??
    'course'
  );
}

/** A state of the statechart in words, by its id. */
export function stateLabel(id: string): string {
  return stateLabels[id] ?? id;
}

/** What falls due, by its id (`countersignature:<start>` by its kind). */
export function dueLabel(id: string): string {
  return dueLabels[id] ?? dueLabels[id.split(':')[0] ?? id] ?? id;
}

/** An escalation report's decision in words ("screening-overridden: tb-screening" included). */
export function escalationDecisionLabel(decision: string): string {
  const [kind = decision, subject] = decision.split(': ');
  const words = escalationDecisionLabels[kind] ?? kind;
  return subject === undefined ? words : `${words}: ${subjectLabel(subject)}`;
}

/** An alert's title, by its id. */
export function alertLabel(id: string): string {
  return alertWords[id] ?? id;
}

const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** UCUM's power of ten (`10*9`): a unit's notation, not a clinical number. */
const POWER_OF_TEN = new RegExp('10\\*(\\d+)', 'g');

function superscript(digits: string): string {
  return digits.replace(/\d/g, (d) => SUPERSCRIPT_DIGITS[Number(d)] ?? d);
}

/**
 * UCUM codes within a text written as clinicians write them: `10*9/L` as
 * `×10⁹/L`, `Cel` as `°C`, `umol/L` as `µmol/L`, `m2` as `m²`.
 */
export function clinicalUnits(text: string): string {
  return text
    .replace(POWER_OF_TEN, (_match, exp: string) => `×10${superscript(exp)}`)
    .replace(/\bCel\b/g, '°C')
    .replace(/\bu(?=(?:mol|g|L|mL)\b)/g, 'µ')
    .replace(/\bm2\b/g, 'm²');
}

/**
 * A UCUM unit as clinicians write it (×10⁹/L, µmol/L); the unit 1 (a pure
 * number) as nothing.
 */
export function unitLabel(code: string): string {
  if (code === '1') return '';
  return unitLabels[code] ?? clinicalUnits(code);
}
