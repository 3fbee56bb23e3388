import { describe, expect, it } from '@jest/globals';

import {
  FhirImportError,
  importLabResults,
  recordedKeys,
  voidedKeys,
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
    importLabResults(body, new Map());
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
    expect(importLabResults(observation(), new Map())).toEqual({
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
      alreadyCorrected: [],
      ignored: 0,
    });
  });

  it('prefers the identifier as the key, and leaves out what was recorded', () => {
    const body = observation({
      identifier: [{ system: 'urn:lab', value: '42' }],
    });
    const recorded = recordedKeys([
      {
        type: 'labs.recorded',
        payload: {
          collectedAt: at,
          panel: { ferritin: { value: 900, unit: 'ng/mL' } },
          source: { system: 'fhir', observations: ['identifier:urn:lab|42'] },
        },
      },
    ]);
    const read = importLabResults(body, recorded);
    expect(read.panels).toEqual([]);
    expect(read.duplicates).toEqual(['identifier:urn:lab|42']);
    // Changed since: refused, never dropped as a repeat.
    for (const status of ['amended', 'corrected']) {
      expect(() =>
        importLabResults(
          { ...body, status, valueQuantity: { value: 120, unit: 'ng/mL' } },
          recorded,
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
      importLabResults({ ...body, status: 'amended' }, new Map()).panels,
    ).toHaveLength(1);
  });

  it('refuses an entry that does not say what it is, or misspells Observation, rather than ignoring it', () => {
    const bundle = (resource: Record<string, unknown>) => ({
      resourceType: 'Bundle',
      type: 'collection',
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
      importLabResults(bundle({ resourceType: 'Parameters' }), new Map())
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
        type: 'collection',
        entry: [{ resource: observation() }, { resource: observation() }],
      }),
    ).toEqual({
      field: 'entry[1].resource.identifier',
      rule: 'id:Observation/obs-1 is sent twice',
    });
    expect(
      refusal({
        resourceType: 'Bundle',
        type: 'collection',
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
        type: 'transaction',
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
      new Map(),
    );
    expect(read.panels.map((p) => p.collectedAt)).toEqual([
      '2026-03-01T09:00:00.000Z',
      '2026-03-01T10:00:00.000Z',
    ]);
    expect(read.ignored).toBe(1);
  });

  it('finds the keys an audit holds, each with its sample time and panel', () => {
    const keys = recordedKeys([
      {
        type: 'labs.recorded',
        payload: {
          collectedAt: '2026-03-01T12:00:00+02:00',
          panel: { temperatureC: 39 },
          source: { system: 'fhir', observations: ['a', 'b'] },
        },
      },
      { type: 'labs.recorded', payload: {} },
      {
        type: 'therapy.started',
        payload: { source: { observations: ['c'] } },
      },
    ]);
    expect([...keys.keys()]).toEqual(['a', 'b']);
    expect(keys.get('a')).toEqual({
      collectedAt: '2026-03-01T10:00:00.000Z',
      panel: { temperatureC: 39 },
    });
  });

  it("a result sent again as 'final' with another value, unit or sample time is refused, naming what differs; the same result is a repeat", () => {
    const key = 'id:Observation/obs-1';
    const recorded = recordedKeys([
      {
        type: 'labs.recorded',
        payload: {
          collectedAt: at,
          panel: { ferritin: { value: 900, unit: 'ng/mL' } },
          source: { system: 'fhir', observations: [key] },
        },
      },
    ]);
    expect(importLabResults(observation(), recorded).duplicates).toEqual([key]);
    // The same instant written with another offset is the same sample.
    expect(
      importLabResults(
        observation({ effectiveDateTime: '2026-03-01T11:00:00+01:00' }),
        recorded,
      ).duplicates,
    ).toEqual([key]);
    const refused = (changes: Record<string, unknown>) => {
      try {
        importLabResults(observation(changes), recorded);
      } catch (error) {
        if (error instanceof FhirImportError) {
          return { field: error.field, rule: error.rule };
        }
        throw error;
      }
      throw new Error('accepted');
    };
    expect(refused({ valueQuantity: { value: 9000, unit: 'ng/mL' } })).toEqual({
      field: 'valueQuantity.value',
      rule: `${key} is already recorded with ferritin 900 ng/mL, not 9000 ng/mL: a changed result is not applied automatically (record the corrected values as a new panel, with the reason)`,
    });
    // The same result in an equivalent unit is a repeat (900 ng/mL is
    // 900 ug/L); another value in it is not.
    expect(
      importLabResults(
        observation({ valueQuantity: { value: 900, unit: 'ug/L' } }),
        recorded,
      ).duplicates,
    ).toEqual([key]);
    expect(
      refused({ valueQuantity: { value: 90, unit: 'ug/L' } }).rule,
    ).toContain('already recorded with ferritin 900 ng/mL, not 90 ug/L');
    expect(refused({ effectiveDateTime: '2026-03-01T11:00:00Z' })).toEqual({
      field: 'effectiveDateTime',
      rule: `${key} is already recorded with the sample time 2026-03-01T10:00:00.000Z, not 2026-03-01T11:00:00.000Z: a changed result is not applied automatically (record the corrected values as a new panel, with the reason)`,
    });
  });

  describe('whose result, and what it is', () => {
    const patient = {
      id: '6f1c2d3e-0000-4000-8000-000000000001',
      identifier: 'SYN-AMIRA-7',
    };
    const refusedFor = (body: unknown) => {
      try {
        importLabResults(body, new Map(), patient);
      } catch (error) {
        if (error instanceof FhirImportError) {
          return { field: error.field, rule: error.rule };
        }
        throw error;
      }
      throw new Error('accepted');
    };
    const read = (body: unknown) =>
      importLabResults(body, new Map(), patient).panels.length;

    it("records a result whose subject is the episode's patient, however named", () => {
      expect(read(observation())).toBe(1);
      expect(
        read(observation({ subject: { reference: `Patient/${patient.id}` } })),
      ).toBe(1);
      expect(
        read(
          observation({
            subject: {
              reference: `https://mas.example/api/fhir/R4/Patient/${patient.id}`,
            },
          }),
        ),
      ).toBe(1);
      expect(
        read(
          observation({
            subject: {
              identifier: { system: 'urn:hospital:mrn', value: 'SYN-AMIRA-7' },
            },
          }),
        ),
      ).toBe(1);
      expect(
        read(observation({ subject: { display: 'as the lab knows her' } })),
      ).toBe(1);
      // A Patient of the Bundle that carries the patient's identifier.
      expect(
        read({
          resourceType: 'Bundle',
          type: 'collection',
          entry: [
            {
              fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111',
              resource: {
                resourceType: 'Patient',
                identifier: [{ system: 'urn:lab', value: 'SYN-AMIRA-7' }],
              },
            },
            {
              resource: observation({
                subject: {
                  reference: 'urn:uuid:11111111-1111-4111-8111-111111111111',
                },
              }),
            },
          ],
        }),
      ).toBe(1);
    });

    it('refuses a result whose subject names another patient, naming the field', () => {
      const other = refusedFor(
        observation({
          subject: {
            reference: 'Patient/7a1c2d3e-0000-4000-8000-000000000002',
          },
        }),
      );
      expect(other.field).toBe('subject');
      expect(other.rule).toContain(
        'names Patient/7a1c2d3e-0000-4000-8000-000000000002, another patient',
      );
      expect(other.rule).toContain(`Patient/${patient.id}`);
      expect(
        refusedFor(
          observation({ subject: { identifier: { value: 'SYN-BEN-16' } } }),
        ),
      ).toEqual({
        field: 'subject.identifier.value',
        rule: `names the patient SYN-BEN-16, not this episode's: this episode's patient is Patient/${patient.id} (identifier SYN-AMIRA-7)`,
      });
      const inBundle = refusedFor({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          {
            fullUrl: 'urn:uuid:22222222-2222-4222-8222-222222222222',
            resource: {
              resourceType: 'Patient',
              identifier: [{ system: 'urn:lab', value: 'SYN-BEN-16' }],
            },
          },
          {
            resource: observation({
              subject: {
                reference: 'urn:uuid:22222222-2222-4222-8222-222222222222',
              },
            }),
          },
        ],
      });
      // The Bundle itself carries another patient: refused at that Patient,
      // whatever its results' subjects say (or none).
      expect(inBundle.field).toBe('entry[0].resource');
      expect(inBundle.rule).toContain(
        "a Patient without this patient's identifier: the Bundle is about another patient",
      );
    });

    it('refuses a value outside the measurable range instead of reading it as exact', () => {
      expect(
        refusedFor(
          observation({
            valueQuantity: { value: 1000, comparator: '>', unit: 'ng/mL' },
          }),
        ),
      ).toEqual({
        field: 'valueQuantity.comparator',
        rule: 'a result outside the measurable range (> 1000) is not an exact value: it is not recorded automatically, since criteria and scores would read it as exactly 1000; nothing of the Bundle is recorded (send the other results without it, and tell the ward, whose clinician records what it means)',
      });
    });

    it('takes results from the Bundle types that carry them, and only creates or updates', () => {
      for (const type of ['searchset', 'not-a-type', undefined]) {
        expect(
          refusedFor({
            resourceType: 'Bundle',
            type,
            entry: [{ resource: observation() }],
          }).field,
        ).toBe('type');
      }
      for (const type of [
        'collection',
        'transaction',
        'batch',
        'history',
        'message',
      ]) {
        expect(
          read({
            resourceType: 'Bundle',
            type,
            entry: [{ resource: observation() }],
          }),
        ).toBe(1);
      }
      expect(
        read({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            {
              resource: observation(),
              request: { method: 'POST', url: 'Observation' },
            },
          ],
        }),
      ).toBe(1);
      expect(
        refusedFor({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            {
              resource: observation(),
              request: { method: 'DELETE', url: 'Observation/obs-1' },
            },
          ],
        }),
      ).toEqual({
        field: 'entry[0].request.method',
        rule: 'must be POST or PUT (a result created or updated is recorded), not "DELETE": nothing is deleted or read through this route',
      });
    });
  });

  it('knows a recorded result by any of its identifiers, in any order', () => {
    const first = { system: 'urn:lab', value: 'LAB-EIE-1' };
    const extra = { system: 'urn:order', value: 'ORD-9' };
    const recorded = recordedKeys([
      {
        type: 'labs.recorded',
        payload: {
          collectedAt: at,
          panel: { ferritin: { value: 900, unit: 'ng/mL' } },
          source: { observations: ['identifier:urn:lab|LAB-EIE-1'] },
        },
      },
    ]);
    const again = importLabResults(
      observation({ identifier: [extra, first] }),
      recorded,
    );
    expect(again.panels).toEqual([]);
    expect(again.duplicates).toEqual(['identifier:urn:lab|LAB-EIE-1']);
    // An identifier another analyte's result shares (an accession number)
    // does not make that result a repeat: recorded as new.
    const platelets = importLabResults(
      observation({
        identifier: [{ system: 'urn:lab', value: 'LAB-PLT-1' }, first],
        code: { coding: [{ system: 'http://loinc.org', code: '777-3' }] },
        valueQuantity: { value: 90, unit: '10*9/L' },
      }),
      recorded,
    );
    expect(platelets.duplicates).toEqual([]);
    expect(platelets.panels[0]?.values[0]?.key).toBe(
      'identifier:urn:lab|LAB-PLT-1',
    );
  });

  it('says so when the laboratory withdraws a result already recorded', () => {
    const recorded = recordedKeys([
      {
        type: 'labs.recorded',
        payload: {
          collectedAt: at,
          panel: { ferritin: { value: 900, unit: 'ng/mL' } },
          source: { observations: ['id:Observation/obs-1'] },
        },
      },
    ]);
    for (const status of ['entered-in-error', 'cancelled']) {
      let caught: unknown;
      try {
        importLabResults(observation({ status }), recorded);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FhirImportError);
      expect((caught as FhirImportError).field).toBe('status');
      expect((caught as FhirImportError).rule).toContain(
        `id:Observation/obs-1 is already recorded (sample of 2026-03-01T10:00:00.000Z) and the laboratory now marks it ${status}`,
      );
    }
    // Not recorded: refused as a result not acted on, as before.
    expect(refusal(observation({ status: 'entered-in-error' })).rule).toContain(
      'is not acted on',
    );
  });

  it('a panel the ward marked entered in error: its result withdrawn is already corrected, sent again as final it is read anew', () => {
    const panel = {
      seq: 1,
      type: 'labs.recorded',
      payload: {
        collectedAt: at,
        panel: { ferritin: { value: 900, unit: 'ng/mL' } },
        source: { observations: ['id:Observation/obs-1'] },
      },
    };
    const entries = [
      panel,
      {
        seq: 2,
        type: 'entry.voided',
        payload: { seq: 1, type: 'labs.recorded' },
      },
    ];
    const voided = voidedKeys(entries);
    expect([...voided]).toEqual(['id:Observation/obs-1']);
    expect(voidedKeys([panel]).size).toBe(0);
    for (const status of ['entered-in-error', 'cancelled']) {
      expect(
        importLabResults(observation({ status }), new Map(), undefined, voided),
      ).toMatchObject({
        panels: [],
        alreadyCorrected: ['id:Observation/obs-1'],
      });
    }
    expect(
      importLabResults(observation(), new Map(), undefined, voided).panels,
    ).toHaveLength(1);
  });
});
