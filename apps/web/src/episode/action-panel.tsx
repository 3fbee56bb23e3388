import Form from '@rjsf/core';
import type { RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useState } from 'react';

import type { Patient } from '@mas/contracts';
import type { EscalationRequest, EventOption } from '@mas/mas-episode';
import { type InstitutionProfile, masProtocol } from '@mas/protocol';

import { DosePreview } from './dose-preview.js';
import type { Submission } from './episode-page.machine.js';

/** The label of an option: its type and, where there are several, which. */
export function optionLabel(option: {
  readonly type: string;
  readonly variant?: string;
}): string {
  return option.variant ? `${option.type} (${option.variant})` : option.type;
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A lab panel's schema with the protocol's words and units: each analyte
 * titled with its label, its unit one of the units the protocol accepts.
 */
function withProtocolUnits(panel: JsonObject): JsonObject {
  const properties = isObject(panel['properties']) ? panel['properties'] : {};
  const analytes = masProtocol.definition.analytes as Readonly<
    Record<string, { label: string; acceptedUnits: readonly string[] }>
  >;
  return {
    ...panel,
    properties: Object.fromEntries(
      Object.entries(properties).map(([id, field]) => {
        const analyte = analytes[id];
        if (!analyte || !isObject(field) || !isObject(field['properties']))
          return [id, field];
        return [
          id,
          {
            ...field,
            title: analyte.label,
            properties: {
              ...field['properties'],
              unit: {
                type: 'string',
                title: 'unit',
                enum: [...analyte.acceptedUnits],
              },
            },
          },
        ];
      }),
    ),
  };
}

/**
 * JSON Schema for the form: the event's schema (zod writes draft 2020-12;
 * the validator reads it without the $schema line), lab panels with the
 * protocol's units to choose from.
 */
export function formSchema(schema: unknown): RJSFSchema {
  if (!isObject(schema)) return { type: 'object' };
  const { $schema: _ignored, ...rest } = schema;
  const properties = isObject(rest['properties']) ? rest['properties'] : {};
  const panel = properties['panel'];
  return isObject(panel)
    ? {
        ...rest,
        properties: { ...properties, panel: withProtocolUnits(panel) },
      }
    : rest;
}

/** The example payload, with a fresh id where a new request needs one. */
function initialPayload(example: unknown): unknown {
  if (typeof example !== 'object' || example === null) return example;
  const record = example as Record<string, unknown>;
  return record['requestId'] === '(new)'
    ? { ...record, requestId: `req-${crypto.randomUUID().slice(0, 8)}` }
    : example;
}

export interface EventFormProps {
  readonly option: EventOption;
  readonly patient: Patient;
  readonly profile: InstitutionProfile;
  readonly busy: boolean;
  /** The service named this field in its last 400 answer. */
  readonly serverField?: string;
  readonly onSubmit: (submission: Submission) => void;
  readonly onCancel: () => void;
}

/**
 * One allowed event's form, generated from the event's JSON Schema (the one
 * the service validates with). Field errors show before anything is sent.
 */
export function EventForm({
  option,
  patient,
  profile,
  busy,
  serverField,
  onSubmit,
  onCancel,
}: EventFormProps) {
  const [formData, setFormData] = useState<unknown>(() =>
    initialPayload(option.examplePayload),
  );
  const [rationale, setRationale] = useState('');
  const [rationaleError, setRationaleError] = useState<string | null>(null);
  const needsRationale = option.status === 'allowed-with-rationale';
  const data = (formData ?? {}) as Record<string, unknown>;
  const schema = formSchema(option.payloadSchema);
  const hasFields =
    typeof schema.properties === 'object' &&
    Object.keys(schema.properties).length > 0;
  const submit = (payload: unknown) => {
    if (needsRationale && rationale.trim() === '') {
      setRationaleError('rationale: the protocol asks for one here');
      return;
    }
    setRationaleError(null);
    onSubmit({
      type: option.type,
      payload: payload ?? {},
      ...(rationale.trim() === '' ? {} : { rationale: rationale.trim() }),
    });
  };
  const rationaleBox = (
    <div className="rationale">
      <label htmlFor="rationale">
        Rationale{needsRationale ? ' (required by the protocol here)' : ''}
      </label>
      <textarea
        id="rationale"
        value={rationale}
        onChange={(e) => setRationale(e.target.value)}
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
  const buttons = (
    <div className="form-buttons">
      <button type="submit" disabled={busy}>
        Record {option.type}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
  return (
    <section className="event-form" aria-labelledby="event-form-title">
      <h3 id="event-form-title">{optionLabel(option)}</h3>
      <p className="hint">
        {option.reason}
        {option.evidence.length > 0
          ? ` (evidence: ${option.evidence.join(', ')})`
          : ''}
      </p>
      {serverField ? (
        <p className="field-error" role="alert">
          The service rejected the field {serverField}.
        </p>
      ) : null}
      {option.type === 'therapy.started' && typeof data['drug'] === 'string' ? (
        <DosePreview
          drug={data['drug']}
          {...(typeof data['route'] === 'string'
            ? { route: data['route'] }
            : {})}
          patient={patient}
          profile={profile}
          onUse={(doseMg) => setFormData({ ...data, doseMg })}
        />
      ) : null}
      {hasFields ? (
        <Form
          schema={schema}
          formData={formData}
          validator={validator}
          disabled={busy}
          showErrorList="top"
          noHtml5Validate
          experimental_defaultFormStateBehavior={{
            emptyObjectFields: 'skipEmptyDefaults',
          }}
          onChange={(e) => setFormData(e.formData)}
          onSubmit={(e) => submit(e.formData)}
          uiSchema={{
            'ui:submitButtonOptions': { submitText: `Record ${option.type}` },
          }}
        >
          {rationaleBox}
          {buttons}
        </Form>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit({});
          }}
        >
          {rationaleBox}
          {buttons}
        </form>
      )}
    </section>
  );
}

export interface ActionPanelProps {
  readonly allowed: readonly EventOption[];
  readonly blocked: readonly EventOption[];
  readonly requests: readonly EscalationRequest[];
  readonly chosen: EventOption | null;
  readonly canAct: boolean;
  readonly patient: Patient;
  readonly profile: InstitutionProfile;
  readonly busy: boolean;
  readonly serverField?: string;
  readonly onChoose: (option: EventOption | null) => void;
  readonly onSubmit: (submission: Submission) => void;
}

/** What can be recorded now (one form per allowed event) and what cannot. */
export function ActionPanel(props: ActionPanelProps) {
  const pending = props.requests.filter((r) => r.status === 'pending');
  return (
    <section className="actions" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      {pending.map((r) => (
        <p key={r.requestId} className="notice awaiting" role="status">
          Escalation to {r.drug} requested by {r.requestedBy.id} ({r.requestId}
          ): <strong>awaiting approval</strong> by a different senior clinician.
        </p>
      ))}
      {!props.canAct ? (
        <p>Your role reads this episode; it does not record events.</p>
      ) : props.chosen ? (
        <EventForm
          key={optionLabel(props.chosen)}
          option={props.chosen}
          patient={props.patient}
          profile={props.profile}
          busy={props.busy}
          {...(props.serverField ? { serverField: props.serverField } : {})}
          onSubmit={props.onSubmit}
          onCancel={() => props.onChoose(null)}
        />
      ) : (
        <>
          <h3>Allowed now</h3>
          <ul className="options">
            {props.allowed
              // The scheduler sends the clock; nobody records it by hand.
              .filter((option) => option.type !== 'clock.ticked')
              .map((option) => (
                <li key={optionLabel(option)}>
                  <button type="button" onClick={() => props.onChoose(option)}>
                    {optionLabel(option)}
                  </button>
                  {option.status === 'allowed-with-rationale' ? (
                    <span className="badge warning">rationale required</span>
                  ) : null}
                </li>
              ))}
          </ul>
        </>
      )}
      <details>
        <summary>Blocked now ({props.blocked.length}), with reasons</summary>
        <ul className="blocked">
          {props.blocked.map((option) => (
            <li key={optionLabel(option)}>
              <strong>{optionLabel(option)}</strong>: {option.reason}
              {option.evidence.length > 0 ? (
                <span className="hint"> ({option.evidence.join(', ')})</span>
              ) : null}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
