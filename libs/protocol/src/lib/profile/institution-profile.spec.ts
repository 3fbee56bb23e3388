import { describe, expect, it } from '@jest/globals';

import {
  clinicalErrorOf,
  readExampleProfile,
} from '../../spec-support/spec-support.js';
import {
  institutionProfileJsonSchema,
  parseInstitutionProfile,
} from './institution-profile.js';

const raw = readExampleProfile();

const errorOf = (input: unknown) =>
  clinicalErrorOf(() => parseInstitutionProfile(input));

describe('institution profile', () => {
  it('the shipped example is valid and labelled as an example, not clinical guidance', () => {
    const profile = parseInstitutionProfile(raw);
    expect(profile.data.example).toBe(true);
    expect(profile.data.notice).toMatch(/EXAMPLE/);
    expect(profile.data.notice).toMatch(/not clinical guidance/);
    expect(profile.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('its hash depends on content, not on key order', () => {
    const reordered = Object.fromEntries(Object.entries(raw).reverse());
    expect(parseInstitutionProfile(reordered).hash).toBe(
      parseInstitutionProfile(raw).hash,
    );
    const changed = {
      ...raw,
      delays: { ...raw.delays, countersignatureWindowHours: 12 },
    };
    expect(parseInstitutionProfile(changed).hash).not.toBe(
      parseInstitutionProfile(raw).hash,
    );
  });

  it.each([
    [
      { doses: { anakinra: { maxMgPerKgPerDay: -5, maxMgPerDay: 100 } } },
      'profile.doses.anakinra.maxMgPerKgPerDay',
    ],
    [
      { doses: { anakinra: { maxMgPerKgPerDay: 5 } } },
      'profile.doses.anakinra.maxMgPerDay',
    ],
    [
      { doses: { ciclosporin: { ivMgPerKgPerDay: { min: 3, max: 1 } } } },
      'profile.doses.ciclosporin.ivMgPerKgPerDay',
    ],
    [
      {
        doses: {
          etoposide: {
            mgPerM2PerDose: 50,
            intervalDays: 7,
            renalAdjustment: { belowCreatinineClearanceMlMin: 50, factor: 2 },
          },
        },
      },
      'profile.doses.etoposide.renalAdjustment.factor',
    ],
    [{ version: 'one' }, 'profile.version'],
    [{ kind: 'something-else' }, 'profile.kind'],
    [{ notice: 'for the ward' }, 'profile.notice'],
    [{ unexpected: true }, 'profile.unexpected'],
    [
      { protocol: { id: 'mas-protocol', version: '2.0.0' } },
      'profile.protocol.version',
    ],
  ])('%p is refused, naming %s', (change, field) => {
    expect(errorOf({ ...raw, ...change }).field).toBe(field);
  });

  it('a missing section is refused, naming it', () => {
    const { response: _r, ...rest } = raw;
    expect(errorOf(rest).field).toBe('profile.response');
  });

  it('exports a JSON Schema for editors and forms', () => {
    const schema = institutionProfileJsonSchema() as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toContain('doses');
    expect(schema.required).toContain('notice');
  });
});
