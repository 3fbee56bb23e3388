import { describe, expect, it } from '@jest/globals';

import { ClinicalInputError } from '@mas/protocol';

import {
  episodeEventTypes,
  payloadJsonSchema,
} from './episode-event.schema.js';
import { parseEpisodeEvent, parseOrThrow } from './parse.util.js';
import { patientSchema } from './patient.schema.js';

/** A complete therapy record: 30 mg/kg for 24 kg, day 1 of a 3-day pulse. */
const pulse = {
  drug: 'methylprednisolone',
  dose: { value: 720, unit: 'mg' },
  route: 'iv',
  schedule: { kind: 'pulse', day: 1, of: 3 },
  givenAt: '2026-03-01T08:45:00Z',
};

const base = {
  type: 'therapy.started',
  at: '2026-03-01T09:00:00Z',
  actor: { id: 'dr-adams', role: 'clinician' },
  payload: pulse,
};

/** `record` without `field`. */
function omit(record: object, field: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).filter(([key]) => key !== field),
  );
}

/** `base` without `field` in its payload. */
function without(field: keyof typeof pulse) {
  return { ...base, payload: omit(pulse, field) };
}

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
    [{ ...base, payload: { ...pulse, drug: 'aspirin' } }, 'e.payload.drug'],
    [{ ...base, payload: { ...pulse, colour: 'red' } }, 'e.payload.colour'],
    [{ ...base, rationale: '   ' }, 'e.rationale'],
    [{ ...base, extra: 1 }, 'e.extra'],
  ])('%p is refused, naming %s', (event, field) => {
    expect(fieldOf(() => parseEpisodeEvent(event, 'e'))).toBe(field);
  });

  it('a time whose offset is no time zone of the world (+15:00) is refused with the range, naming the field', () => {
    let message = '';
    try {
      parseEpisodeEvent({ ...base, at: '2026-03-01T10:00:00+15:00' }, 'e');
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(
      /e\.at.*the offset \+15:00 is no time zone of the world \(they run from UTC−12:00 to UTC\+14:00\)/,
    );
    expect(
      parseEpisodeEvent({ ...base, at: '2026-03-01T22:00:00+14:00' }, 'e').at,
    ).toBe('2026-03-01T22:00:00+14:00');
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

  it('a reassessment with nothing to judge (no value, no finding, no clinical status) is refused, naming the panel; any one of them is enough', () => {
    const reassessment = (payload: Record<string, unknown>) => ({
      ...base,
      type: 'reassessment.recorded',
      payload: { collectedAt: '2026-03-01T08:00:00.000Z', ...payload },
    });
    for (const panel of [
      {},
      { ageDays: 3000 },
      { ageDays: 3000, explainedOtherwise: [] },
    ]) {
      expect(
        fieldOf(() => parseEpisodeEvent(reassessment({ panel }), 'e')),
      ).toBe('e.payload.panel');
    }
    for (const payload of [
      { panel: { ferritin: { value: 3000, unit: 'ng/mL' } } },
      { panel: { febrile: false } },
      { panel: {}, clinicalStatus: 'stable' },
      { panel: {}, clinicalJudgement: 'inadequate' },
    ]) {
      expect(
        parseEpisodeEvent(reassessment(payload), 'e').payload,
      ).toMatchObject(payload);
    }
  });

  it("an ATC code of a medication is the substance's, as the WHO index writes it: with a space, a dot, in lower case or a group's, it is refused, naming the code", () => {
    const other = (code: string) => ({
      ...base,
      type: 'other-therapy.started',
      payload: {
        recordId: 'x',
        medication: { system: 'http://www.whocc.no/atc', code, display: 'x' },
        dose: { value: 1, unit: 'mg' },
        route: 'iv',
        schedule: { kind: 'once' },
        givenAt: '2026-03-01T08:00:00.000Z',
      },
    });
    for (const code of [
      'L01 CB01',
      'L01CB01.',
      'L1CB01',
      'L01CB011',
      'l01cb01',
      // A group: etoposide would pass unnamed under it.
      'L01CB',
      'L01',
    ]) {
      expect(fieldOf(() => parseEpisodeEvent(other(code), 'e'))).toBe(
        'e.payload.medication.code',
      );
    }
    for (const code of ['L01CB01', 'J06BA02']) {
      expect(parseEpisodeEvent(other(code), 'e').type).toBe(
        'other-therapy.started',
      );
    }
  });

  it("an import's source names one panel field per Observation, or none (older imports)", () => {
    const labs = (source: unknown) => ({
      ...base,
      type: 'labs.recorded',
      payload: {
        panel: { ferritin: { value: 12_000, unit: 'ng/mL' } },
        collectedAt: '2026-03-01T08:00:00.000Z',
        source,
      },
    });
    const observations = ['identifier:urn:oid:2.999.1|LAB-1'];
    for (const source of [
      { system: 'fhir', observations },
      { system: 'fhir', observations, fields: ['ferritin'] },
    ]) {
      expect(parseEpisodeEvent(labs(source), 'e').payload).toMatchObject({
        source,
      });
    }
    expect(
      fieldOf(() =>
        parseEpisodeEvent(
          labs({ system: 'fhir', observations, fields: ['ferritin', 'esr'] }),
          'e',
        ),
      ),
    ).toBe('e.payload.source.fields');
  });

  it('every event type has a payload JSON Schema for forms', () => {
    expect(episodeEventTypes).toHaveLength(37);
    expect(episodeEventTypes).toEqual(
      expect.arrayContaining([
        'therapy.dose-changed',
        'other-therapy.started',
        'other-therapy.stopped',
        'protocol.migrated',
        'profile.adopted',
        'measures.recorded',
      ]),
    );
    for (const type of episodeEventTypes) {
      expect(payloadJsonSchema(type)).toMatchObject({ type: 'object' });
    }
    expect(payloadJsonSchema('therapy.started')).toMatchObject({
      properties: {
        drug: {
          enum: expect.arrayContaining(['methylprednisolone', 'emapalumab']),
        },
      },
    });
  });

  it('the forms learn what a therapy record requires: drug, dose, route, schedule, givenAt', () => {
    const schema = payloadJsonSchema('therapy.started') as {
      required: string[];
      properties: Record<string, unknown>;
    };
    expect([...schema.required].sort()).toEqual(
      ['dose', 'drug', 'givenAt', 'route', 'schedule'].sort(),
    );
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['emergency', 'doseConfirmation']),
    );
    expect(Object.keys(schema.properties)).not.toContain('doseMg');
    for (const type of ['labs.recorded', 'reassessment.recorded'] as const) {
      expect(
        (payloadJsonSchema(type) as { required: string[] }).required,
      ).toEqual(expect.arrayContaining(['panel', 'collectedAt']));
    }
  });
});

describe('therapy.started: a complete record of what was given', () => {
  it('accepts a complete record, with every schedule and dose unit', () => {
    for (const schedule of [
      { kind: 'once' },
      { kind: 'every-hours', hours: 8 },
      { kind: 'daily' },
      { kind: 'pulse', day: 3, of: 3 },
    ]) {
      const event = parseEpisodeEvent(
        { ...base, payload: { ...pulse, schedule } },
        'e',
      );
      expect(event.payload).toMatchObject({ schedule });
    }
    for (const unit of ['mg', 'g', 'ug']) {
      expect(
        parseEpisodeEvent(
          { ...base, payload: { ...pulse, dose: { value: 1, unit } } },
          'e',
        ).payload,
      ).toMatchObject({ dose: { value: 1, unit } });
    }
    const confirmed = parseEpisodeEvent(
      {
        ...base,
        payload: {
          ...pulse,
          dose: { value: 1, unit: 'g' },
          emergency: false,
          doseConfirmation: 'rounded up to the 1 g vial',
        },
      },
      'e',
    );
    expect(confirmed.payload).toMatchObject({
      doseConfirmation: 'rounded up to the 1 g vial',
    });
  });

  it.each([
    ['dose', 'e.payload.dose'],
    ['route', 'e.payload.route'],
    ['schedule', 'e.payload.schedule'],
    ['givenAt', 'e.payload.givenAt'],
    ['drug', 'e.payload.drug'],
  ] as const)('without %s it is refused, naming %s', (field, named) => {
    expect(fieldOf(() => parseEpisodeEvent(without(field), 'e'))).toBe(named);
  });

  it.each([
    [{ doseMg: 720 }, 'e.payload.doseMg'],
    [{ dose: { value: 0, unit: 'mg' } }, 'e.payload.dose.value'],
    [{ dose: { value: -720, unit: 'mg' } }, 'e.payload.dose.value'],
    [{ dose: { value: '720', unit: 'mg' } }, 'e.payload.dose.value'],
    [{ dose: { value: 720 } }, 'e.payload.dose.unit'],
    [{ dose: { value: 720, unit: 'mL' } }, 'e.payload.dose.unit'],
    [{ dose: { value: 720, unit: 'mg/kg' } }, 'e.payload.dose.unit'],
    [{ dose: { value: 720, unit: 'mg', per: 'day' } }, 'e.payload.dose.per'],
    [{ route: 'im' }, 'e.payload.route'],
    [{ schedule: { kind: 'weekly' } }, 'e.payload.schedule.kind'],
    [{ schedule: { kind: 'every-hours' } }, 'e.payload.schedule.hours'],
    [
      { schedule: { kind: 'every-hours', hours: 0 } },
      'e.payload.schedule.hours',
    ],
    [
      { schedule: { kind: 'every-hours', hours: 1e-300 } },
      'e.payload.schedule.hours',
    ],
    [
      { schedule: { kind: 'every-hours', hours: 0.5 } },
      'e.payload.schedule.hours',
    ],
    [{ schedule: { kind: 'pulse', day: 4, of: 3 } }, 'e.payload.schedule.day'],
    [{ schedule: { kind: 'pulse', day: 0, of: 3 } }, 'e.payload.schedule.day'],
    [{ schedule: { kind: 'pulse', day: 1, of: 15 } }, 'e.payload.schedule.of'],
    [
      { schedule: { kind: 'pulse', day: 1.5, of: 3 } },
      'e.payload.schedule.day',
    ],
    [{ schedule: { kind: 'once', hours: 8 } }, 'e.payload.schedule.hours'],
    [{ givenAt: '2026-03-01T08:45:00' }, 'e.payload.givenAt'],
    [{ givenAt: 'this morning' }, 'e.payload.givenAt'],
    [{ doseConfirmation: '   ' }, 'e.payload.doseConfirmation'],
    [{ emergency: 'yes' }, 'e.payload.emergency'],
  ])('%p is refused, naming %s', (change, named) => {
    expect(
      fieldOf(() =>
        parseEpisodeEvent({ ...base, payload: { ...pulse, ...change } }, 'e'),
      ),
    ).toBe(named);
  });

  it('a pulse day past the number of days says why', () => {
    expect(() =>
      parseEpisodeEvent(
        {
          ...base,
          payload: { ...pulse, schedule: { kind: 'pulse', day: 4, of: 3 } },
        },
        'e',
      ),
    ).toThrow(/must not exceed the number of pulse days/);
  });

  it('therapy.stopped: the stop time is optional, and an instant when given', () => {
    const stop = {
      ...base,
      type: 'therapy.stopped',
      payload: { drug: 'methylprednisolone' },
    };
    expect(parseEpisodeEvent(stop, 'e').payload).toEqual({
      drug: 'methylprednisolone',
    });
    expect(
      parseEpisodeEvent(
        {
          ...stop,
          payload: { ...stop.payload, stoppedAt: '2026-03-02T08:00:00Z' },
        },
        'e',
      ).payload,
    ).toMatchObject({ stoppedAt: '2026-03-02T08:00:00Z' });
    expect(
      fieldOf(() =>
        parseEpisodeEvent(
          { ...stop, payload: { ...stop.payload, stoppedAt: 'yesterday' } },
          'e',
        ),
      ),
    ).toBe('e.payload.stoppedAt');
  });
});

describe('other-therapy: a coded drug outside the protocol table', () => {
  const prednisolone = {
    recordId: 'pred-1',
    medication: {
      system: 'http://www.whocc.no/atc',
      code: 'H02AB06',
      display: 'prednisolone',
    },
    dose: { value: 40, unit: 'mg' },
    route: 'oral',
    schedule: { kind: 'daily' },
    givenAt: '2026-03-05T08:00:00Z',
  };
  const started = {
    ...base,
    type: 'other-therapy.started',
    payload: prednisolone,
  };

  it('accepts a coded record; IVIG in g and a dose in mL or units too', () => {
    expect(parseEpisodeEvent(started, 'e').payload).toEqual(prednisolone);
    for (const unit of ['g', 'mL', '[iU]']) {
      expect(
        parseEpisodeEvent(
          {
            ...started,
            payload: { ...prednisolone, dose: { value: 10, unit } },
          },
          'e',
        ).payload,
      ).toMatchObject({ dose: { unit } });
    }
    expect(
      parseEpisodeEvent(
        {
          ...base,
          type: 'other-therapy.stopped',
          payload: { recordId: 'pred-1' },
        },
        'e',
      ).payload,
    ).toEqual({ recordId: 'pred-1' });
  });

  it.each([
    [{ recordId: '' }, 'e.payload.recordId'],
    [{ recordId: 'x'.repeat(65) }, 'e.payload.recordId'],
    [
      { medication: { ...prednisolone.medication, system: 'local' } },
      'e.payload.medication.system',
    ],
    [
      { medication: { ...prednisolone.medication, code: ' ' } },
      'e.payload.medication.code',
    ],
    [
      { medication: { system: 'http://www.whocc.no/atc', code: 'H02AB06' } },
      'e.payload.medication.display',
    ],
    [{ dose: { value: 1, unit: 'tablet' } }, 'e.payload.dose.unit'],
    [{ dose: { value: 0, unit: 'mg' } }, 'e.payload.dose.value'],
    [{ route: 'rectal' }, 'e.payload.route'],
    [{ schedule: { kind: 'pulse', day: 2, of: 1 } }, 'e.payload.schedule.day'],
    [{ givenAt: '2026-03-05' }, 'e.payload.givenAt'],
    [{ drug: 'prednisolone' }, 'e.payload.drug'],
  ])('%p is refused, naming %s', (change, named) => {
    expect(
      fieldOf(() =>
        parseEpisodeEvent(
          { ...started, payload: { ...prednisolone, ...change } },
          'e',
        ),
      ),
    ).toBe(named);
  });

  it.each([
    ['dose', 'e.payload.dose'],
    ['medication', 'e.payload.medication'],
    ['givenAt', 'e.payload.givenAt'],
  ] as const)('without %s it is refused, naming %s', (field, named) => {
    const payload = omit(prednisolone, field);
    expect(fieldOf(() => parseEpisodeEvent({ ...started, payload }, 'e'))).toBe(
      named,
    );
  });

  it('the stop names the record', () => {
    expect(
      fieldOf(() =>
        parseEpisodeEvent(
          { ...base, type: 'other-therapy.stopped', payload: {} },
          'e',
        ),
      ),
    ).toBe('e.payload.recordId');
  });
});

describe('labs and reassessments: dated by the sample', () => {
  const panel = { ferritin: { value: 12000, unit: 'ng/mL' } };
  const labs = {
    ...base,
    type: 'labs.recorded',
    actor: { id: 'nurse-diaz', role: 'nurse' },
    payload: { panel, collectedAt: '2026-03-01T07:30:00Z' },
  };
  const reassessment = {
    ...base,
    type: 'reassessment.recorded',
    actor: { id: 'dr-baker', role: 'senior-clinician' },
    payload: { panel, collectedAt: '2026-03-01T20:00:00Z' },
    rationale: 'no clinical improvement',
  };

  it('a panel with its collection time, unusual values confirmed by name', () => {
    expect(
      parseEpisodeEvent(
        {
          ...labs,
          payload: { ...labs.payload, confirmUnusual: ['platelets'] },
        },
        'e',
      ).payload,
    ).toMatchObject({ confirmUnusual: ['platelets'] });
    expect(
      parseEpisodeEvent(
        {
          ...reassessment,
          payload: {
            ...reassessment.payload,
            clinicalStatus: 'stable',
            clinicalJudgement: 'inadequate',
          },
        },
        'e',
      ).payload,
    ).toMatchObject({ clinicalJudgement: 'inadequate' });
  });

  it.each([
    ['labs.recorded', { panel }, 'e.payload.collectedAt'],
    ['reassessment.recorded', { panel }, 'e.payload.collectedAt'],
    [
      'labs.recorded',
      { panel, collectedAt: '2026-03-01 07:30' },
      'e.payload.collectedAt',
    ],
    [
      'labs.recorded',
      { ...labs.payload, confirmUnusual: 'platelets' },
      'e.payload.confirmUnusual',
    ],
    [
      'labs.recorded',
      { ...labs.payload, confirmUnusual: [''] },
      'e.payload.confirmUnusual.0',
    ],
    [
      'reassessment.recorded',
      { ...reassessment.payload, clinicalJudgement: 'adequate' },
      'e.payload.clinicalJudgement',
    ],
    [
      'labs.recorded',
      { ...labs.payload, clinicalJudgement: 'inadequate' },
      'e.payload.clinicalJudgement',
    ],
  ])('%s with %p is refused, naming %s', (type, payload, named) => {
    const event = type === 'labs.recorded' ? labs : reassessment;
    expect(fieldOf(() => parseEpisodeEvent({ ...event, payload }, 'e'))).toBe(
      named,
    );
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
