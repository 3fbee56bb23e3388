import Form from '@rjsf/core';
import type { ErrorSchema, ValidatorType } from '@rjsf/utils';
import { useEffect, useMemo, useState } from 'react';

import type { Patient } from '@mas/contracts';
import type { EventOption } from '@mas/mas-episode';
import {
  ClinicalInputError,
  type DoseCheck,
  type InstitutionProfile,
} from '@mas/protocol';

import { readableTimes } from './clinical-time.model.js';
import { DoseConfirmation } from './dose-confirmation.js';
import { DosePreview, type MeasuresTimes } from './dose-preview.js';
import type { Feedback, Submission } from './episode-page.machine.js';
import {
  fieldWords,
  finalizePayload,
  type FormErrors,
  formSchema,
  formUiSchema,
  initialPayload,
  isObject,
  type JsonObject,
  mergeErrors,
  payloadErrors,
  pulseErrors,
  serverFieldErrors,
  type UnusualItem,
  unusualItems,
  withAgeAtSampling,
  withError,
} from './event-form.model.js';
import { formFields, formWidgets } from './form-widgets.js';
import { matchesSchema } from './schema-match.js';
import {
  computedDoseText,
  formDoseCheck,
  isOutsideRange,
} from './therapy.model.js';
import { UnusualConfirmation } from './unusual-confirmation.js';

export { optionLabel } from './event-form.model.js';

/**
 * An option opened again with what was sent before a conflict: its times
 * are the user's (not "now"), its rationale as typed.
 */
export interface ReopenedOption extends EventOption {
  readonly reopened?: true;
  readonly rationale?: string;
}

const PANEL_EVENTS = new Set(['labs.recorded', 'reassessment.recorded']);

/**
 * The form library's validator for its own needs only (which fields a
 * schedule's kind shows), evaluated without compiling code (the page's
 * content security policy forbids `eval`, which a compiling validator needs:
 * under it the kind's fields never showed): what is sent is checked with the
 * contract's zod schema, after the empty values are left out.
 */
const schemaOnly: ValidatorType = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  isValid: (schema, data, root) => matchesSchema(schema, data, root),
  // (The library reads only whether there are errors.)
  rawValidation: (schema, data) =>
    ({
      errors: matchesSchema(schema, data)
        ? []
        : [{ message: 'does not match the schema' }],
    }) as unknown as { errors: never[] },
};

/** Where the form is: filling it in, or a second ask before it is sent. */
type Step =
  | { readonly kind: 'edit' }
  | {
      readonly kind: 'confirm-dose';
      readonly payload: JsonObject;
      readonly check: DoseCheck | null;
      readonly serverMessage?: string;
    }
  | {
      readonly kind: 'confirm-unusual';
      readonly payload: JsonObject;
      readonly items: readonly UnusualItem[];
      readonly serverMessage?: string;
    };

const EDIT: Step = { kind: 'edit' };

const withoutKey = (payload: JsonObject, key: string): JsonObject =>
  Object.fromEntries(Object.entries(payload).filter(([name]) => name !== key));

const confirmedOf = (payload: JsonObject): string[] =>
  Array.isArray(payload['confirmUnusual'])
    ? payload['confirmUnusual'].filter(
        (f): f is string => typeof f === 'string',
      )
    : [];

export interface EventFormProps {
  readonly option: EventOption;
  readonly patient: Patient;
  /** When the patient's measures were taken (a dose from an old one is said). */
  readonly measures?: MeasuresTimes;
  readonly profile: InstitutionProfile;
  readonly busy: boolean;
  /** The form's "now" for clinical times: the wall clock, or a training episode's virtual time. */
  readonly now: string;
  /** The page's last answer: the form acts on the one about its own event. */
  readonly feedback?: Feedback | null;
  readonly onSubmit: (submission: Submission) => void;
  readonly onCancel: () => void;
}

/**
 * One allowed event's form, generated from the event's JSON Schema (the one
 * the service validates with) and checked with the same schema before
 * anything is sent. A dose outside the range computed for the patient, or
 * a lab value outside its usual range, is asked about a second time; the
 * service's own asks (422) and field errors (400) come back to the form,
 * which keeps its values.
 */
export function EventForm({
  option,
  patient,
  measures,
  profile,
  busy,
  now,
  feedback,
  onSubmit,
  onCancel,
}: EventFormProps) {
  const schema = useMemo(
    () => formSchema(option.payloadSchema),
    [option.payloadSchema],
  );
  const uiSchema = useMemo(() => formUiSchema(schema, 'Record'), [schema]);
  const [formData, setFormData] = useState<unknown>(() =>
    initialPayload(
      schema,
      option.examplePayload,
      now,
      (option as ReopenedOption).reopened === true,
    ),
  );
  const [rationale, setRationale] = useState(
    (option as ReopenedOption).rationale ?? '',
  );
  const [rationaleError, setRationaleError] = useState<string | null>(null);
  const [clientErrors, setClientErrors] = useState<FormErrors | null>(null);
  const [step, setStep] = useState<Step>(EDIT);
  const needsRationale = option.status === 'allowed-with-rationale';
  // A dose change is checked and previewed as a start is.
  const isTherapy =
    option.type === 'therapy.started' || option.type === 'therapy.dose-changed';
  const hasFields = Object.keys(schema.properties ?? {}).length > 0;
  const data = isObject(formData) ? formData : {};

  // The service's answer about this form's event.
  const answer =
    feedback?.submission?.type === option.type ? feedback : undefined;
  useEffect(() => {
    const sent = answer?.submission?.payload;
    if (!answer || !isObject(sent)) return;
    if (answer.confirmationWouldAllow) {
      const payload = withoutKey(sent, 'doseConfirmation');
      setStep({
        kind: 'confirm-dose',
        payload,
        check: formDoseCheck(payload, patient, profile),
        serverMessage: answer.message,
      });
    } else if (answer.unusualFields && answer.unusualFields.length > 0) {
      let items: readonly UnusualItem[];
      try {
        items = unusualItems(sent['panel'], [], answer.unusualFields);
      } catch {
        items = unusualItems({}, [], answer.unusualFields);
      }
      setStep({
        kind: 'confirm-unusual',
        payload: sent,
        items,
        serverMessage: answer.message,
      });
    } else {
      setStep(EDIT);
    }
    // Only a new answer moves the step (the patient and profile are the
    // episode's, fixed while the form is open).
  }, [answer]);

  const send = (payload: JsonObject) => {
    onSubmit({
      type: option.type,
      payload,
      ...(rationale.trim() === '' ? {} : { rationale: rationale.trim() }),
    });
  };

  /** Checks before sending: the contract, then the second asks. */
  const attempt = (raw: unknown) => {
    if (needsRationale && rationale.trim() === '') {
      setRationaleError('rationale: the protocol asks for one here');
      return;
    }
    setRationaleError(null);
    const payload = withAgeAtSampling(
      finalizePayload(schema, raw),
      patient.birthDate,
    );
    const errors =
      payloadErrors(option.type, payload) ??
      (isTherapy ? pulseErrors(payload) : null);
    if (errors) {
      setClientErrors(errors);
      return;
    }
    setClientErrors(null);
    if (isTherapy) {
      const check = formDoseCheck(payload, patient, profile);
      if (isOutsideRange(check)) {
        setStep({ kind: 'confirm-dose', payload, check });
        return;
      }
    }
    if (PANEL_EVENTS.has(option.type)) {
      try {
        const items = unusualItems(payload['panel'], confirmedOf(payload));
        if (items.length > 0) {
          setStep({ kind: 'confirm-unusual', payload, items });
          return;
        }
      } catch (error) {
        if (error instanceof ClinicalInputError) {
          setClientErrors(
            withError({}, ['panel', ...error.field.split('.')], error.rule),
          );
          return;
        }
        throw error;
      }
    }
    send(payload);
  };

  const serverErrors =
    answer?.kind === 'invalid'
      ? serverFieldErrors(answer.field, answer.rule)
      : null;
  const extraErrors = mergeErrors(clientErrors ?? {}, serverErrors ?? {});
  const editing = step.kind === 'edit';
  const liveCheck = isTherapy
    ? formDoseCheck(finalizePayload(schema, formData), patient, profile)
    : null;

  const rationaleBox = (
    <div className="rationale">
      <label htmlFor="rationale">
        Rationale{needsRationale ? ' (required by the protocol here)' : ''}
      </label>
      <textarea
        id="rationale"
        value={rationale}
        onChange={(e) => {
          setRationale(e.target.value);
        }}
        aria-invalid={rationaleError !== null}
        aria-describedby={rationaleError ? 'rationale-error' : undefined}
        rows={3}
      />
      {rationaleError ? (
        <p id="rationale-error" className="field-error" role="alert">
          {rationaleError}
        </p>
      ) : null}
    </div>
  );
  const buttons = editing ? (
    <div className="form-buttons">
      <button type="submit" disabled={busy}>
        Record
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  ) : null;
  return (
    <section className="event-form" aria-labelledby="event-form-title">
      <h3 id="event-form-title">{readableTimes(option.label)}</h3>
      <p className="hint">
        {readableTimes(option.reason)}
        {option.evidence.length > 0
          ? ` (evidence: ${option.evidence.join(', ')})`
          : ''}
      </p>
      {answer &&
      editing &&
      answer.kind !== 'recorded' &&
      // A conflict is told above the page, with what changed meanwhile.
      answer.kind !== 'conflict' ? (
        <div className="field-error" role="alert">
          <p>{answer.message}</p>
          {answer.field ? (
            <p>
              The service rejected {fieldWords(answer.field)}
              {answer.rule ? `: ${answer.rule}` : ''}.
            </p>
          ) : null}
        </div>
      ) : null}
      {isTherapy && editing && typeof data['drug'] === 'string' ? (
        <DosePreview
          drug={data['drug']}
          {...(typeof data['route'] === 'string'
            ? { route: data['route'] }
            : {})}
          patient={patient}
          {...(measures
            ? {
                measures,
                givenAt:
                  typeof data['givenAt'] === 'string' ? data['givenAt'] : now,
              }
            : {})}
          profile={profile}
          onUse={(dose, route) => {
            setFormData({ ...data, dose, route });
          }}
        />
      ) : null}
      {liveCheck ? (
        <p
          className={isOutsideRange(liveCheck) ? 'badge warning' : 'hint'}
          aria-live="polite"
        >
          {liveCheck.tier === 'hard'
            ? `The dose entered is above a hard limit (computed for this patient: ${computedDoseText(liveCheck) ?? 'see the limits'}): it cannot be recorded; check for a slip (a tenfold dose, a unit).`
            : isOutsideRange(liveCheck)
              ? `The dose entered is outside the range computed for this patient (${computedDoseText(liveCheck) ?? 'see the limits'}): you will be asked to confirm it.`
              : liveCheck.tier === 'within'
                ? `The dose entered is within the range computed for this patient (${computedDoseText(liveCheck) ?? ''}).`
                : `The dose entered could not be checked: ${liveCheck.uncheckedReason ?? 'no rule'}.`}
        </p>
      ) : null}
      {hasFields ? (
        <Form
          schema={schema}
          uiSchema={uiSchema}
          formData={formData}
          validator={schemaOnly}
          widgets={formWidgets}
          fields={formFields}
          extraErrors={extraErrors as ErrorSchema}
          disabled={busy || !editing}
          showErrorList="top"
          noHtml5Validate
          experimental_defaultFormStateBehavior={{
            emptyObjectFields: 'skipEmptyDefaults',
          }}
          onChange={(e) => {
            setFormData(e.formData);
          }}
          onSubmit={(e) => {
            attempt(e.formData);
          }}
        >
          {rationaleBox}
          {buttons}
        </Form>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            attempt({});
          }}
        >
          {rationaleBox}
          {buttons}
        </form>
      )}
      {step.kind === 'confirm-dose' ? (
        <DoseConfirmation
          drug={String(step.payload['drug'])}
          weightKg={patient.weightKg}
          check={step.check}
          {...(step.serverMessage ? { serverMessage: step.serverMessage } : {})}
          busy={busy}
          onConfirm={(reason) => {
            send({ ...step.payload, doseConfirmation: reason });
          }}
          onBack={() => {
            setStep(EDIT);
          }}
        />
      ) : null}
      {step.kind === 'confirm-unusual' ? (
        <UnusualConfirmation
          items={step.items}
          {...(step.serverMessage ? { serverMessage: step.serverMessage } : {})}
          busy={busy}
          onConfirm={(fields) => {
            send({
              ...step.payload,
              confirmUnusual: [
                ...new Set([...confirmedOf(step.payload), ...fields]),
              ],
            });
          }}
          onBack={() => {
            setStep(EDIT);
          }}
        />
      ) : null}
    </section>
  );
}
