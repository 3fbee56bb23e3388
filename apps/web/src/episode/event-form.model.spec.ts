/**
 * @jest-environment node
 */
import { describe, expect, it } from '@jest/globals';

import { payloadJsonSchema } from '@mas/contracts';

import {
  formSchema,
  formUiSchema,
  initialPayload,
  pulseErrors,
} from './event-form.model.js';

const now = '2026-03-01T08:00:00.000Z';

describe('an event form as a clinician meets it', () => {
  it("never starts with a placeholder as if typed: the antimicrobials form's agent is left to fill in", () => {
    const schema = formSchema(payloadJsonSchema('antimicrobials.started'));
    expect(initialPayload(schema, { agents: ['(agent)'] }, now)).toEqual({});
    expect(
      initialPayload(schema, { agents: ['ceftriaxone', '(agent)'] }, now),
    ).toEqual({ agents: ['ceftriaxone'] });
  });

  it('names its fields and their choices in words, never by their ids', () => {
    const measures = formUiSchema(
      formSchema(payloadJsonSchema('measures.recorded')),
      'Record',
    );
    expect(measures['weightKg']).toMatchObject({ 'ui:title': 'Weight (kg)' });
    expect(measures['heightCm']).toMatchObject({ 'ui:title': 'Height (cm)' });
    // When the patient was weighed: a clinical time, as a sample's.
    expect(measures['measuredAt']).toMatchObject({
      'ui:title': 'Measured at',
      'ui:widget': 'clinicalTime',
    });
    const screening = formUiSchema(
      formSchema(payloadJsonSchema('screening.recorded')),
      'Record',
    );
    expect(screening['kind']).toMatchObject({
      'ui:title': 'What',
      'ui:enumNames': expect.objectContaining({
        'tb-screening': 'tuberculosis screening',
        'hbv-serology': 'hepatitis B serology',
      }),
    });
  });
});

describe('a therapy written as a pulse', () => {
  const pulse = { kind: 'pulse', day: 1, of: 3 };

  it('of anakinra: said at the schedule before anything is sent, as the service would refuse it [seed.initial.1]', () => {
    expect(
      pulseErrors({
        drug: 'anakinra',
        dose: { value: 100, unit: 'mg' },
        route: 'sc',
        schedule: pulse,
      }),
    ).toEqual({
      schedule: {
        kind: {
          __errors: [
            'a pulse (day n of N) is not a schedule for anakinra in the protocol (given as pulses: methylprednisolone, dexamethasone); record it as daily, every N hours or once',
          ],
        },
      },
    });
  });

  it('of methylprednisolone or dexamethasone, or anakinra daily: nothing to say [seed.initial.1]', () => {
    expect(
      pulseErrors({ drug: 'methylprednisolone', schedule: pulse }),
    ).toBeNull();
    expect(pulseErrors({ drug: 'dexamethasone', schedule: pulse })).toBeNull();
    expect(
      pulseErrors({ drug: 'anakinra', schedule: { kind: 'daily' } }),
    ).toBeNull();
  });
});
