import { describe, expect, it } from '@jest/globals';

import { ClinicalInputError } from '@mas/protocol';

import {
  episodeEventTypes,
  payloadJsonSchema,
} from './episode-event.schema.js';
import { parseEpisodeEvent, parseOrThrow } from './parse.util.js';
import { patientSchema } from './patient.schema.js';

const base = {
  type: 'therapy.started',
  at: '2026-03-01T09:00:00Z',
  actor: { id: 'dr-adams', role: 'clinician' },
  payload: { drug: 'methylprednisolone', route: 'iv', doseMg: 1000 },
};

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ClinicalInputError) return error.field;
    throw error;
  }
  throw new Error('expected a ClinicalInputError');
}

describe('event envelope', () => {
  it('accepts a well-formed event, offset times included', () => {
    expect(parseEpisodeEvent(base, 'event').type).toBe('therapy.started');
    expect(
      parseEpisodeEvent({ ...base, at: '2026-03-01T10:00:00+01:00' }, 'event')
        .at,
    ).toBe('2026-03-01T10:00:00+01:00');
  });

  it.each([
    [{ ...base, type: 'therapy.begun' }, 'e.type'],
    [{ ...base, at: '1 March' }, 'e.at'],
    [{ ...base, at: '2026-03-01T09:00:00' }, 'e.at'],
    [{ ...base, actor: { id: '', role: 'clinician' } }, 'e.actor.id'],
    [{ ...base, actor: { id: 'x', role: 'surgeon' } }, 'e.actor.role'],
    [{ ...base, payload: { drug: 'aspirin' } }, 'e.payload.drug'],
    [
      { ...base, payload: { drug: 'anakinra', doseMg: -5 } },
      'e.payload.doseMg',
    ],
    [
      { ...base, payload: { drug: 'anakinra', colour: 'red' } },
      'e.payload.colour',
    ],
    [{ ...base, rationale: '   ' }, 'e.rationale'],
    [{ ...base, extra: 1 }, 'e.extra'],
  ])('%p is refused, naming %s', (event, field) => {
    expect(fieldOf(() => parseEpisodeEvent(event, 'e'))).toBe(field);
  });

  it('a panel inside labs.recorded is checked by the panel schema', () => {
    const event = {
      ...base,
      type: 'labs.recorded',
      payload: { panel: { ferritin: { value: 'high', unit: 'ng/mL' } } },
    };
    expect(fieldOf(() => parseEpisodeEvent(event, 'e'))).toBe(
      'e.payload.panel.ferritin.value',
    );
  });

  it('every event type has a payload JSON Schema for forms', () => {
    expect(episodeEventTypes).toHaveLength(31);
    for (const type of episodeEventTypes) {
      expect(payloadJsonSchema(type)).toMatchObject({ type: 'object' });
    }
    expect(payloadJsonSchema('therapy.started')).toMatchObject({
      properties: {
        drug: {
          enum: expect.arrayContaining(['methylprednisolone', 'emapalumab']),
        },
      },
      required: ['drug'],
    });
  });
});

describe('patient', () => {
  const patient = {
    identifier: 'SYN-1',
    weightKg: 20,
    heightCm: 110,
    birthDate: '2020-01-01',
    sex: 'female',
    underlyingDisease: 'sJIA',
  };

  it('is pseudonymous: an unknown field such as a name is refused', () => {
    expect(parseOrThrow(patientSchema, patient, 'patient').identifier).toBe(
      'SYN-1',
    );
    expect(
      fieldOf(() =>
        parseOrThrow(patientSchema, { ...patient, name: 'Jane' }, 'patient'),
      ),
    ).toBe('patient.name');
    expect(
      fieldOf(() =>
        parseOrThrow(
          patientSchema,
          { ...patient, birthDate: '2020-13-01' },
          'patient',
        ),
      ),
    ).toBe('patient.birthDate');
  });
});
