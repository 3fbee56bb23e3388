/**
 * @jest-environment node
 */
import { describe, expect, it } from '@jest/globals';

import { payloadJsonSchema } from '@mas/contracts';

import {
  formSchema,
  formUiSchema,
  initialPayload,
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
