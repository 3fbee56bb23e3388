import { describe, expect, it } from '@jest/globals';

import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import { parseLabPanel } from '../panel/lab-panel.util.js';
import { screenPanel } from './panel-screen.js';

const q = (value: number, unit: string) => ({ value, unit });

/** Florid MAS in a febrile sJIA patient: every calculator can be fed. */
const florid: LabPanelInput = {
  febrile: true,
  sjiaKnownOrSuspected: true,
  temperatureC: 39.6,
  ferritin: q(12000, 'ng/mL'),
  platelets: q(95, '10*9/L'),
  neutrophils: q(1.4, '10*9/L'),
  leukocytes: q(3.2, '10*9/L'),
  hemoglobin: q(88, 'g/L'),
  fibrinogen: q(140, 'mg/dL'),
  ast: q(180, 'U/L'),
  alt: q(120, 'U/L'),
  ldh: q(1400, 'U/L'),
  triglycerides: q(290, 'mg/dL'),
  sCD25: q(6000, 'U/mL'),
  creatinine: q(45, 'umol/L'),
  bilirubin: q(18, 'umol/L'),
  esr: q(12, 'mm/h'),
};

/** Active sJIA without MAS: nothing points to MAS. */
const flare: LabPanelInput = {
  ...florid,
  ferritin: q(900, 'ng/mL'),
  platelets: q(420, '10*9/L'),
  neutrophils: q(12, '10*9/L'),
  leukocytes: q(18, '10*9/L'),
  hemoglobin: q(110, 'g/L'),
  fibrinogen: q(520, 'mg/dL'),
  ast: q(30, 'U/L'),
  alt: q(25, 'U/L'),
  ldh: q(300, 'U/L'),
  triglycerides: q(120, 'mg/dL'),
  sCD25: q(800, 'U/mL'),
  esr: q(90, 'mm/h'),
};

describe('screenPanel: every calculator a panel can feed', () => {
  it('florid MAS: suggestive, criteria met, every calculator computed, each reason given [seed.pitfalls.3]', () => {
    const screen = screenPanel(florid);
    expect(screen.suggestive).toBe(true);
    expect(screen.criteriaMet).toBe(true);
    expect(screen.notComputed).toEqual({});
    for (const result of [
      screen.mas2016,
      screen.hscore,
      screen.hlh2004,
      screen.msScore,
      screen.ferritinEsr,
    ]) {
      expect(result).toBeDefined();
    }
    expect(screen.reasons).toContain('2016 EULAR/ACR/PRINTO criteria met');
    expect(screen.reasons).toContain(
      `HScore ${screen.hscore?.score} (>= ${screen.hscore?.cutoff})`,
    );
    expect(
      screen.reasons.some((r) => r.startsWith('ferritin/ESR ratio ')),
    ).toBe(screen.ferritinEsr?.suggestsMas === true);
    expect(screen.evidence).toEqual([
      'seed.pitfalls.3',
      'seed.pitfalls.1',
      'review.section-10',
    ]);
  });

  it('an active flare without MAS: nothing suggestive, no criteria met, no reasons', () => {
    const screen = screenPanel(flare);
    expect(screen).toMatchObject({
      suggestive: false,
      criteriaMet: false,
      reasons: [],
    });
  });

  it('a partial panel is screened with what it has: the calculators it cannot feed are named, never an error', () => {
    const partial: LabPanelInput = {
      febrile: true,
      sjiaKnownOrSuspected: true,
      ferritin: q(12000, 'ng/mL'),
      platelets: q(95, '10*9/L'),
      ast: q(180, 'U/L'),
      triglycerides: q(290, 'mg/dL'),
      fibrinogen: q(140, 'mg/dL'),
    };
    const screen = screenPanel(partial);
    expect(screen.mas2016?.classified).toBe(true);
    expect(screen.criteriaMet).toBe(true);
    expect(screen.hscore).toBeUndefined();
    expect(Object.keys(screen.notComputed)).toEqual(
      expect.arrayContaining(['hscore', 'hlh2004', 'ferritin-esr']),
    );
    for (const message of Object.values(screen.notComputed)) {
      expect(message.length).toBeGreaterThan(0);
    }
  });

  it('an invalid panel (unknown unit) is still an error', () => {
    expect(() =>
      screenPanel({ ...florid, ferritin: q(12000, 'furlongs') }),
    ).toThrow(ClinicalInputError);
  });

  it('on tocilizumab the 2016 criteria are not applicable, and the laboratory criteria are reported as met though not applicable', () => {
    const screen = screenPanel(florid, { onTocilizumab: true });
    expect(screen.mas2016?.applicable).toBe(false);
    expect(screen.mas2016?.classified).toBe(false);
    expect(screen.reasons).not.toContain('2016 EULAR/ACR/PRINTO criteria met');
    expect(
      screen.reasons.some((r) =>
        r.startsWith('2016 laboratory criteria met, though not applicable ('),
      ),
    ).toBe(true);
    // The other rules still see the panel.
    expect(screen.criteriaMet).toBe(screen.hscore?.meetsCutoff === true);
  });

  it('the MS score and ferritin/ESR ratio speak only for a patient with known or suspected sJIA', () => {
    const withSjia = screenPanel(florid);
    const without = screenPanel({ ...florid, sjiaKnownOrSuspected: false });
    const sjiaOnly = (reasons: readonly string[]) =>
      reasons.filter(
        (r) => r.startsWith('MS score ') || r.startsWith('ferritin/ESR ratio '),
      );
    expect(sjiaOnly(withSjia.reasons).length).toBeGreaterThan(0);
    expect(sjiaOnly(without.reasons)).toEqual([]);
  });

  it('an already parsed panel is screened as it is, with the same result', () => {
    expect(screenPanel(parseLabPanel(florid))).toEqual(screenPanel(florid));
  });
});
