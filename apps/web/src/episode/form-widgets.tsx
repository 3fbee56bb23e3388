/**
 * The widgets the event forms add to the form library's own: a clinical
 * time (local time in, UTC shown and sent), a finding with three choices
 * (present, absent, not assessed), an analyte with its usual unit chosen,
 * and a medication picked from a short list or entered with its code.
 */
import type {
  ErrorSchema,
  FieldProps,
  RegistryFieldsType,
  RegistryWidgetsType,
  WidgetProps,
} from '@rjsf/utils';
import { useState } from 'react';

import type { MedicationCoding } from '@mas/contracts';

import {
  formatUtcTime,
  fromLocalInput,
  toLocalInput,
  utcOffsetText,
} from './clinical-time.model.js';
import {
  COMMON_MEDICATIONS,
  TERMINOLOGIES,
} from './common-medications.constant.js';
import { analyteOf, isObject } from './event-form.model.js';
import { displayUnit } from './labs.model.js';

function FieldErrors({
  id,
  errors,
}: {
  readonly id: string;
  readonly errors: readonly string[] | undefined;
}) {
  if (!errors || errors.length === 0) return null;
  return (
    <ul id={id} className="field-error">
      {errors.map((error) => (
        <li key={error}>{error}</li>
      ))}
    </ul>
  );
}

/**
 * When something happened at the bedside, in the browser's local time (its
 * offset named), with the time in UTC beside it as the app shows times.
 */
export function ClinicalTimeWidget(props: WidgetProps) {
  const value = typeof props.value === 'string' ? props.value : undefined;
  const hintId = `${props.id}__utc`;
  return (
    <>
      <input
        id={props.id}
        name={props.htmlName ?? props.id}
        type="datetime-local"
        value={toLocalInput(value)}
        required={props.required}
        disabled={props.disabled || props.readonly}
        aria-describedby={hintId}
        aria-invalid={(props.rawErrors?.length ?? 0) > 0}
        onChange={(e) => {
          props.onChange(fromLocalInput(e.target.value));
        }}
      />
      <span id={hintId} className="hint">
        {' '}
        local time ({utcOffsetText(value ?? new Date(0).toISOString())})
        {value ? ` = ${formatUtcTime(value)}` : ''}
      </span>
    </>
  );
}

const FINDING_CHOICES = [
  ['present', true],
  ['absent', false],
  ['not assessed', undefined],
] as const;

/**
 * A finding: present (true), absent (false) or not assessed (left out of
 * the panel, never read as absent). Not assessed unless someone says.
 */
export function FindingWidget(props: WidgetProps) {
  const value = props.value as boolean | undefined;
  return (
    <fieldset className="finding" id={props.id}>
      <legend>{props.label}</legend>
      {FINDING_CHOICES.map(([words, choice]) => {
        const id = `${props.id}__${words.replace(' ', '-')}`;
        return (
          <label key={words} htmlFor={id}>
            <input
              id={id}
              type="radio"
              name={props.htmlName ?? props.id}
              checked={value === choice}
              disabled={props.disabled || props.readonly}
              onChange={() => {
                props.onChange(choice);
              }}
            />{' '}
            {words}
          </label>
        );
      })}
    </fieldset>
  );
}

interface Quantity {
  readonly value?: number;
  readonly unit?: string;
}

function errorsAt(
  errorSchema: ErrorSchema | undefined,
  key?: string,
): string[] | undefined {
  if (!errorSchema) return undefined;
  const node: unknown = key === undefined ? errorSchema : errorSchema[key];
  return isObject(node) && Array.isArray(node['__errors'])
    ? node['__errors'].filter((e): e is string => typeof e === 'string')
    : undefined;
}

/**
 * An analyte: its value and unit, the protocol's usual unit chosen until
 * someone picks another. No value: not measured (left out of the panel).
 */
export function AnalyteField(props: FieldProps) {
  const analyte = analyteOf(props.name);
  const data = (isObject(props.formData) ? props.formData : {}) as Quantity;
  const id = props.fieldPathId.$id;
  const usual = analyte?.usualUnit ?? '';
  const unit = data.unit ?? usual;
  const label = analyte?.label ?? props.name;
  const valueErrors = [
    ...(errorsAt(props.errorSchema) ?? []),
    ...(errorsAt(props.errorSchema, 'value') ?? []),
  ];
  const unitErrors = errorsAt(props.errorSchema, 'unit');
  const emit = (next: Quantity) => {
    props.onChange(
      next.value === undefined
        ? undefined
        : { value: next.value, unit: next.unit ?? usual },
      props.fieldPathId.path,
    );
  };
  return (
    <div className="analyte">
      <label htmlFor={`${id}_value`}>{label}</label>{' '}
      <input
        id={`${id}_value`}
        type="number"
        step="any"
        value={data.value ?? ''}
        disabled={props.disabled || props.readonly}
        aria-invalid={valueErrors.length > 0}
        aria-describedby={
          valueErrors.length > 0 ? `${id}_value__error` : undefined
        }
        onChange={(e) => {
          const text = e.target.value.trim();
          emit({ ...(text === '' ? {} : { value: Number(text) }), unit });
        }}
      />{' '}
      <select
        id={`${id}_unit`}
        aria-label={`${label} unit`}
        value={unit}
        disabled={props.disabled || props.readonly}
        aria-invalid={(unitErrors?.length ?? 0) > 0}
        onChange={(e) => {
          emit({
            ...(data.value === undefined ? {} : { value: data.value }),
            unit: e.target.value,
          });
        }}
      >
        {(analyte?.acceptedUnits ?? [unit]).map((code) => (
          <option key={code} value={code}>
            {displayUnit(code) || code}
          </option>
        ))}
      </select>
      <FieldErrors id={`${id}_value__error`} errors={valueErrors} />
      <FieldErrors id={`${id}_unit__error`} errors={unitErrors} />
    </div>
  );
}

const OTHER = '(other)';

function isCoding(value: unknown): value is Partial<MedicationCoding> {
  return isObject(value);
}

/**
 * A medication outside the protocol's table: one of a few common ones, or
 * any other with its terminology, code and name.
 */
export function MedicationField(props: FieldProps) {
  const id = props.fieldPathId.$id;
  const coding = isCoding(props.formData) ? props.formData : {};
  const common = COMMON_MEDICATIONS.find(
    (m) => m.system === coding.system && m.code === coding.code,
  );
  // Entered by hand: chosen so, or a coding not in the list.
  const [manual, setManual] = useState(
    common === undefined && coding.code !== undefined,
  );
  const choice = manual ? OTHER : (common?.code ?? '');
  const set = (next: Partial<MedicationCoding>) => {
    props.onChange(next, props.fieldPathId.path);
  };
  const disabled = props.disabled || props.readonly;
  const errors = (key: string) => errorsAt(props.errorSchema, key);
  return (
    <fieldset className="medication" id={id}>
      <legend>Medication</legend>
      <label htmlFor={`${id}_choice`}>Common medications</label>{' '}
      <select
        id={`${id}_choice`}
        value={choice}
        disabled={disabled}
        onChange={(e) => {
          const picked = COMMON_MEDICATIONS.find(
            (m) => m.code === e.target.value,
          );
          setManual(picked === undefined);
          set(
            picked
              ? {
                  system: picked.system,
                  code: picked.code,
                  display: picked.display,
                }
              : { system: TERMINOLOGIES[0].system },
          );
        }}
      >
        <option value="" disabled>
          choose
        </option>
        {COMMON_MEDICATIONS.map((m) => (
          <option key={m.code} value={m.code}>
            {m.label}
          </option>
        ))}
        <option value={OTHER}>other: enter its code</option>
      </select>
      {common ? (
        <p className="hint">
          {common.display} — {common.terminology} {common.code}
        </p>
      ) : null}
      {choice === OTHER ? (
        <div className="inline-fields">
          <label htmlFor={`${id}_system`}>Terminology</label>{' '}
          <select
            id={`${id}_system`}
            value={coding.system ?? ''}
            disabled={disabled}
            onChange={(e) => {
              set({
                ...coding,
                system: e.target.value as MedicationCoding['system'],
              });
            }}
          >
            {TERMINOLOGIES.map((t) => (
              <option key={t.system} value={t.system}>
                {t.name}
              </option>
            ))}
          </select>{' '}
          <label htmlFor={`${id}_code`}>Code</label>{' '}
          <input
            id={`${id}_code`}
            value={coding.code ?? ''}
            disabled={disabled}
            aria-invalid={(errors('code')?.length ?? 0) > 0}
            onChange={(e) => {
              set({ ...coding, code: e.target.value });
            }}
          />{' '}
          <label htmlFor={`${id}_display`}>Name</label>{' '}
          <input
            id={`${id}_display`}
            value={coding.display ?? ''}
            disabled={disabled}
            aria-invalid={(errors('display')?.length ?? 0) > 0}
            onChange={(e) => {
              set({ ...coding, display: e.target.value });
            }}
          />
          <FieldErrors id={`${id}_code__error`} errors={errors('code')} />
          <FieldErrors id={`${id}_display__error`} errors={errors('display')} />
        </div>
      ) : null}
    </fieldset>
  );
}

export const formWidgets: RegistryWidgetsType = {
  clinicalTime: ClinicalTimeWidget,
  finding: FindingWidget,
};

export const formFields: RegistryFieldsType = {
  analyte: AnalyteField,
  medication: MedicationField,
};
