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

describe('institution profile: formats and the example notice (mutation survivors P5)', () => {
  const withIvRange = (range: unknown) => ({
    ...raw,
    doses: { ...raw.doses, ciclosporin: { ivMgPerKgPerDay: range } },
  });

  it('a range with min equal to max is accepted; min above max is refused with its rule', () => {
    expect(
      parseInstitutionProfile(withIvRange({ min: 2, max: 2 })).data.doses
        .ciclosporin?.ivMgPerKgPerDay,
    ).toEqual({ min: 2, max: 2 });
    const error = errorOf(withIvRange({ min: 2.1, max: 2 }));
    expect(error.field).toBe('profile.doses.ciclosporin.ivMgPerKgPerDay');
    expect(error.rule).toBe('min must not exceed max');
  });

  it.each(['v1.0.0', '1.0.0-rc1', '1.0', '1.0.0.0'])(
    'profile version %p is refused: not a semantic version',
    (version) => {
      const error = errorOf({ ...raw, version });
      expect(error.field).toBe('profile.version');
      expect(error.rule).toBe('must be a semantic version such as 1.0.0');
    },
  );

  it.each(['1.10.0', '10.0.0'])(
    'profile version %p is accepted (several digits per part)',
    (version) => {
      expect(parseInstitutionProfile({ ...raw, version }).data.version).toBe(
        version,
      );
    },
  );

  it('an example profile must say both "example" and "not clinical guidance"; a real profile need not', () => {
    const exampleOnly = errorOf({
      ...raw,
      notice: 'Example profile for the ward',
    });
    expect(exampleOnly.field).toBe('profile.notice');
    expect(exampleOnly.rule).toBe(
      'an example profile must say it is an example and not clinical guidance',
    );
    expect(
      errorOf({ ...raw, notice: 'This is not clinical guidance' }).field,
    ).toBe('profile.notice');
    expect(
      parseInstitutionProfile({
        ...raw,
        example: false,
        notice: 'Approved by the drug and therapeutics committee',
      }).data.example,
    ).toBe(false);
  });

  it('an input that is not an object is refused under "profile"', () => {
    const error = errorOf('not a profile');
    expect(error.field).toBe('profile');
    expect(error.rule).toMatch(/expected object/);
  });

  it('a protocol major version of 10 does not pass for 1 (the major is the part before the first dot)', () => {
    const error = errorOf({
      ...raw,
      protocol: { id: 'mas-protocol', version: '10.0.0' },
    });
    expect(error.field).toBe('profile.protocol.version');
    expect(error.rule).toMatch(/major versions must match/);
    expect(
      parseInstitutionProfile({
        ...raw,
        protocol: { id: 'mas-protocol', version: '1.7.2' },
      }).data.protocol.version,
    ).toBe('1.7.2');
  });
});

describe('institution profile: dose limits for recorded doses (optional, no default)', () => {
  it('the example sets a tolerance, a hard-limit factor, a review drift, a longest pulse, how long a measure stays valid and one absolute maximum; anakinra maxima are soft', () => {
    const { data } = parseInstitutionProfile(raw);
    expect(data.doseLimits).toEqual({
      softTolerancePercent: 10,
      hardFactorAboveSoftMax: 3,
      reviewDriftPercent: 10,
      maxPulseDays: 5,
      measuresValidDays: 7,
      absoluteMaxima: { tocilizumab: { mg: 800, per: 'dose' } },
    });
    expect(data.doses.anakinra?.maximaTier).toBe('soft');
  });

  it('a profile without dose limits, or without the anakinra tier, is valid: nothing is defaulted', () => {
    const { doseLimits: _limits, ...rest } = raw;
    const { data } = parseInstitutionProfile({
      ...rest,
      doses: {
        ...raw.doses,
        anakinra: { maxMgPerKgPerDay: 15, maxMgPerDay: 2400 },
      },
    });
    expect(data.doseLimits).toBeUndefined();
    expect(data.doses.anakinra?.maximaTier).toBeUndefined();
    expect(
      parseInstitutionProfile({ ...raw, doseLimits: {} }).data.doseLimits,
    ).toEqual({});
  });

  it.each([
    [{ softTolerancePercent: 0 }, 'profile.doseLimits.softTolerancePercent'],
    [{ softTolerancePercent: -5 }, 'profile.doseLimits.softTolerancePercent'],
    [{ softTolerancePercent: 100 }, 'profile.doseLimits.softTolerancePercent'],
    [{ reviewDriftPercent: 0 }, 'profile.doseLimits.reviewDriftPercent'],
    [{ reviewDriftPercent: 100 }, 'profile.doseLimits.reviewDriftPercent'],
    [
      { hardFactorAboveSoftMax: 1 },
      'profile.doseLimits.hardFactorAboveSoftMax',
    ],
    [
      { hardFactorAboveSoftMax: 0.5 },
      'profile.doseLimits.hardFactorAboveSoftMax',
    ],
    [
      { absoluteMaxima: { aspirin: { mg: 100, per: 'dose' } } },
      'profile.doseLimits.absoluteMaxima.aspirin',
    ],
    [
      { absoluteMaxima: { anakinra: { mg: 100, per: 'week' } } },
      'profile.doseLimits.absoluteMaxima.anakinra.per',
    ],
    [
      { absoluteMaxima: { anakinra: { mg: 0, per: 'day' } } },
      'profile.doseLimits.absoluteMaxima.anakinra.mg',
    ],
    [{ maxPulseDays: 0 }, 'profile.doseLimits.maxPulseDays'],
    [{ maxPulseDays: 2.5 }, 'profile.doseLimits.maxPulseDays'],
    [{ measuresValidDays: 0 }, 'profile.doseLimits.measuresValidDays'],
    [{ measuresValidDays: 1.5 }, 'profile.doseLimits.measuresValidDays'],
    [{ tenfold: true }, 'profile.doseLimits.tenfold'],
  ])('doseLimits %p is refused, naming %s', (doseLimits, field) => {
    expect(errorOf({ ...raw, doseLimits }).field).toBe(field);
  });

  it('just inside the bounds is accepted (99.9 %, a factor of 1.01)', () => {
    expect(
      parseInstitutionProfile({
        ...raw,
        doseLimits: {
          softTolerancePercent: 99.9,
          hardFactorAboveSoftMax: 1.01,
        },
      }).data.doseLimits,
    ).toEqual({ softTolerancePercent: 99.9, hardFactorAboveSoftMax: 1.01 });
  });

  it('the anakinra tier is soft or hard', () => {
    expect(
      errorOf({
        ...raw,
        doses: {
          ...raw.doses,
          anakinra: {
            maxMgPerKgPerDay: 15,
            maxMgPerDay: 2400,
            maximaTier: 'absolute',
          },
        },
      }).field,
    ).toBe('profile.doses.anakinra.maximaTier');
  });

  it('the JSON Schema lists the dose limits as optional', () => {
    const schema = institutionProfileJsonSchema() as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
      required: string[];
    };
    expect(Object.keys(schema.properties.doseLimits?.properties ?? {})).toEqual(
      [
        'softTolerancePercent',
        'hardFactorAboveSoftMax',
        'reviewDriftPercent',
        'maxPulseDays',
        'measuresValidDays',
        'absoluteMaxima',
      ],
    );
    expect(schema.required).not.toContain('doseLimits');
  });
});

describe('institution profile: the patient identifier format', () => {
  it('a pattern that is not a regular expression is refused by name', () => {
    expect(
      errorOf({
        ...raw,
        patientIdentifier: { pattern: '[A-Z', description: 'codes' },
      }),
    ).toMatchObject({
      field: 'profile.patientIdentifier.pattern',
      rule: 'must be a valid regular expression (Unicode)',
    });
  });

  it('the example refuses a name and a national number, and takes the synthetic codes', () => {
    const format = parseInstitutionProfile(raw).data.patientIdentifier;
    const whole = new RegExp(`^(?:${format?.pattern ?? ''})$`, 'u');
    expect(
      ['SYN-AMIRA-7', 'SIM-CNS-2014', 'MRN123'].map((id) => whole.test(id)),
    ).toEqual([true, true, true]);
    expect(
      ['Amira Hassan', 'amira', '850101-1234', 'SYN AMIRA'].map((id) =>
        whole.test(id),
      ),
    ).toEqual([false, false, false, false]);
  });

  it('is optional: a profile without it is valid', () => {
    const { patientIdentifier: _omitted, ...without } = raw;
    expect(parseInstitutionProfile(without).data.patientIdentifier).toBe(
      undefined,
    );
  });
});
