import { describe, expect, it } from '@jest/globals';

import {
  FhirImportError,
  importLabResults,
  recordedKeys,
} from './fhir-import.util.js';

const at = '2026-03-01T10:00:00Z';

function observation(extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'Observation',
    id: 'obs-1',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '2276-4' }] },
    effectiveDateTime: at,
    valueQuantity: { value: 900, unit: 'ng/mL' },
    ...extra,
  };
}

function refusal(body: unknown): { field: string; rule: string } {
  try {
    importLabResults(body, new Set());
  } catch (error) {
    if (error instanceof FhirImportError) {
      return { field: error.field, rule: error.rule };
    }
    throw error;
  }
  throw new Error('accepted');
}

describe('reading laboratory results from FHIR', () => {
  it('reads a lone Observation into a panel at its sample time, keyed by its id', () => {
    expect(importLabResults(observation(), new Set())).toEqual({
      panels: [
        {
          collectedAt: '2026-03-01T10:00:00.000Z',
          panel: { ferritin: { value: 900, unit: 'ng/mL' } },
          values: [
            { path: '', key: 'id:Observation/obs-1', field: 'ferritin' },
          ],
        },
      ],
      duplicates: [],
      ignored: 0,
    });
  });

  it('prefers the identifier as the key, and leaves out what was recorded', () => {
    const body = observation({
      identifier: [{ system: 'urn:lab', value: '42' }],
    });
    const read = importLabResults(body, new Set(['identifier:urn:lab|42']));
    expect(read.panels).toEqual([]);
    expect(read.duplicates).toEqual(['identifier:urn:lab|42']);
    // Changed since: refused, never dropped as a repeat.
    for (const status of ['amended', 'corrected']) {
      expect(() =>
        importLabResults(
          { ...body, status, valueQuantity: { value: 120, unit: 'ng/mL' } },
          new Set(['identifier:urn:lab|42']),
        ),
      ).toThrow(
        new FhirImportError(
          'status',
          `identifier:urn:lab|42 is already recorded: an ${status} result is not applied automatically (record the corrected values as a new panel, with the reason)`,
        ),
      );
    }
    // Not recorded before: an amended result is a result.
    expect(
      importLabResults({ ...body, status: 'amended' }, new Set()).panels,
    ).toHaveLength(1);
  });

  it('refuses an entry that does not say what it is, or misspells Observation, rather than ignoring it', () => {
    const bundle = (resource: Record<string, unknown>) => ({
      resourceType: 'Bundle',
      entry: [{ resource: observation() }, { resource }],
    });
    expect(
      refusal(
        bundle({
          ...observation({ id: 'obs-2' }),
          resourceType: 'observation',
        }),
      ),
    ).toEqual({
      field: 'entry[1].resource.resourceType',
      rule: 'must be Observation (FHIR resource types are case-sensitive)',
    });
    expect(
      refusal(
        bundle({ ...observation({ id: 'obs-2' }), resourceType: undefined }),
      ).field,
    ).toBe('entry[1].resource.resourceType');
    // Another resource, named as such, is left out and counted.
    expect(
      importLabResults(bundle({ resourceType: 'Parameters' }), new Set())
        .ignored,
    ).toBe(1);
  });

  it('refuses a key the lab record cannot keep, before anything is read into a panel', () => {
    expect(
      refusal(
        observation({
          identifier: [{ system: 'urn:lab', value: 'x'.repeat(490) }],
        }),
      ),
    ).toEqual({
      field: 'identifier',
      rule: "the Observation's identifier (system and value, or its URL or id) must be at most 500 characters",
    });
  });

  it('names the field and the rule of what it refuses', () => {
    expect(refusal(observation({ status: 'preliminary' }))).toEqual({
      field: 'status',
      rule: expect.stringContaining('preliminary'),
    });
    expect(
      refusal(observation({ valueQuantity: { value: 1, unit: 'mmol/L' } })),
    ).toEqual({
      field: 'valueQuantity.unit',
      rule: 'LOINC 2276-4 is recorded in ng/mL or ug/L, not mmol/L',
    });
    expect(
      refusal(
        observation({
          valueQuantity: { value: 1, unit: 'ng/mL', system: 'urn:other' },
        }),
      ).field,
    ).toBe('valueQuantity.system');
    expect(
      refusal(observation({ effectiveDateTime: '2026-03-01' })).field,
    ).toBe('effectiveDateTime');
    expect(refusal(observation({ id: undefined })).field).toBe('identifier');
    expect(refusal({ resourceType: 'Patient' }).field).toBe('resourceType');
    expect(
      refusal({
        resourceType: 'Bundle',
        entry: [{ resource: observation() }, { resource: observation() }],
      }),
    ).toEqual({
      field: 'entry[1].resource.identifier',
      rule: 'id:Observation/obs-1 is sent twice',
    });
    expect(
      refusal({
        resourceType: 'Bundle',
        entry: [
          { resource: observation() },
          { resource: observation({ id: 'obs-2' }) },
        ],
      }).field,
    ).toBe('entry[1].resource.code');
  });

  it('groups by sample time in order, and counts what is not an Observation', () => {
    const read = importLabResults(
      {
        resourceType: 'Bundle',
        entry: [
          { resource: { resourceType: 'Parameters' } },
          {
            resource: observation({
              id: 'late',
              effectiveDateTime: '2026-03-01T12:00:00+02:00',
            }),
          },
          {
            resource: observation({
              id: 'early',
              effectiveDateTime: '2026-03-01T09:00:00Z',
            }),
          },
        ],
      },
      new Set(),
    );
    expect(read.panels.map((p) => p.collectedAt)).toEqual([
      '2026-03-01T09:00:00.000Z',
      '2026-03-01T10:00:00.000Z',
    ]);
    expect(read.ignored).toBe(1);
  });

  it('finds the keys an audit holds', () => {
    expect(
      recordedKeys([
        {
          type: 'labs.recorded',
          payload: { source: { system: 'fhir', observations: ['a', 'b'] } },
        },
        { type: 'labs.recorded', payload: {} },
        {
          type: 'therapy.started',
          payload: { source: { observations: ['c'] } },
        },
      ]),
    ).toEqual(new Set(['a', 'b']));
  });
});
