import { describe, expect, it } from '@jest/globals';

import { readExampleProfile } from '../../spec-support/spec-support.js';
import { quantity } from '../../testing.js';
import { parseInstitutionProfile } from '../profile/institution-profile.js';
import { assessResponse } from './response.assessment.js';

const raw = readExampleProfile();
const profile = parseInstitutionProfile(raw);

const panel = (ferritin: number, platelets: number, fibrinogen: number) => ({
  ferritin: quantity(ferritin, 'ng/mL'),
  platelets: quantity(platelets, '10*9/L'),
  fibrinogen: quantity(fibrinogen, 'g/L'),
});

describe('response to therapy (directions from the seed, magnitudes from the institution)', () => {
  it('ferritin falling, counts and fibrinogen recovering: responding [seed.monitoring.3]', () => {
    const result = assessResponse(
      panel(10000, 60, 1.0),
      panel(5000, 90, 1.5),
      profile,
    );
    expect(result.verdict).toBe('responding');
    expect(result.changes.map((c) => c.trend)).toEqual([
      'improving',
      'improving',
      'improving',
    ]);
    expect(result.evidence).toContain('seed.monitoring.3');
  });

  it('ferritin falling by less than the institution margin: inadequate [seed.monitoring.3]', () => {
    const result = assessResponse(
      panel(10000, 60, 1.0),
      panel(8000, 60, 1.0),
      profile,
    );
    expect(result.changes[0]).toMatchObject({
      changePercent: -20,
      trend: 'stable',
    });
    expect(result.verdict).toBe('inadequate');
  });

  it('exactly the improving margin (25% fall) counts as improving [seed.monitoring.3]', () => {
    expect(
      assessResponse(panel(10000, 60, 1), panel(7500, 60, 1), profile).verdict,
    ).toBe('responding');
  });

  it('platelets falling by the worsening margin: worsening, whatever ferritin does [seed.monitoring.3]', () => {
    const result = assessResponse(
      panel(10000, 100, 1.0),
      panel(5000, 80, 1.0),
      profile,
    );
    expect(result.verdict).toBe('worsening');
    expect(result.reasons[0]).toMatch(/platelets 100 -> 80/);
  });

  it('compares across units (ug/L vs ng/mL, /uL vs 10*9/L) [seed.monitoring.3]', () => {
    const result = assessResponse(
      {
        ferritin: quantity(10000, 'ug/L'),
        platelets: quantity(60_000, '/uL'),
        fibrinogen: quantity(100, 'mg/dL'),
      },
      panel(5000, 90, 1.5),
      profile,
    );
    expect(result.verdict).toBe('responding');
  });

  it('a parameter missing from a panel is an error naming it and the panel', () => {
    expect(() =>
      assessResponse(
        { platelets: quantity(1, '10*9/L'), fibrinogen: quantity(1, 'g/L') },
        panel(1, 1, 1),
        profile,
      ),
    ).toThrow(/^ferritin: the response rule needs ferritin/);
    expect(() =>
      assessResponse(
        panel(1, 1, 1),
        { ferritin: quantity(-1, 'ng/mL') },
        profile,
      ),
    ).toThrow(/^current\.ferritin\.value/);
  });

  it('the magnitudes have no default: a missing one is an error naming it', () => {
    const { ferritin: _f, ...response } = raw.response;
    const partial = parseInstitutionProfile({ ...raw, response });
    expect(() =>
      assessResponse(panel(2, 1, 1), panel(1, 1, 1), partial),
    ).toThrow(/^profile\.response\.ferritin: is not set/);
  });
});
