import { describe, expect, it } from '@jest/globals';

import { clinicalErrorOf } from '../../spec-support/spec-support.js';
import { hscoreCounts, mas2016WorkedExamples } from '../../testing.js';
import { ClinicalInputError } from '../errors/clinical-input.error.js';
import type { LabPanelInput } from '../panel/lab-panel.schema.js';
import { parseLabPanel } from '../panel/lab-panel.util.js';
import { screenPanel } from './panel-screen.js';

const q = (value: number, unit: string) => ({ value, unit });

/** Every finding the calculators read, recorded absent. */
const noOtherFindings = {
  hepatomegaly: false,
  splenomegaly: false,
  cnsInvolvement: false,
  hemorrhage: false,
  activeArthritis: false,
  knownImmunosuppression: false,
  hemophagocytosis: false,
  nkActivityLowOrAbsent: false,
};

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
  it('florid MAS, every finding recorded: suggestive, criteria met, every calculator computed, each reason given [seed.pitfalls.3]', () => {
    const screen = screenPanel({ ...florid, ...noOtherFindings });
    expect(screen.suggestive).toBe(true);
    expect(screen.criteriaMet).toBe(true);
    expect(screen.notComputed).toEqual({});
    expect(screen.undecided).toEqual({});
    for (const result of [
      screen.mas2016,
      screen.hscore,
      screen.hlh2004,
      screen.msScore,
      screen.ferritinEsr,
    ]) {
      expect(result).toBeDefined();
    }
    expect(screen.reasons).toEqual([
      '2016 EULAR/ACR/PRINTO criteria met',
      'HScore 226 (>= 169)',
      'HLH-2004: 5 of 8 criteria',
      'MS score 1.755 (>= -2.1)',
      'ferritin/ESR ratio 1000',
    ]);
    expect(screen.evidence).toEqual([
      'seed.pitfalls.3',
      'seed.pitfalls.1',
      'review.section-10',
    ]);
  });

  it('an active flare with every finding recorded: nothing suggestive, no criteria met, nothing undecided, no reasons', () => {
    const screen = screenPanel({ ...flare, ...noOtherFindings });
    expect(screen).toMatchObject({
      suggestive: false,
      criteriaMet: false,
      reasons: [],
      undecided: {},
    });
  });

  it('the same flare with findings not recorded: still not suggestive, and says what cannot be decided yet and what is missing', () => {
    const screen = screenPanel(flare);
    expect(screen.suggestive).toBe(false);
    expect(screen.criteriaMet).toBe(false);
    expect(screen.reasons).toEqual([
      'HLH-2004 cannot be decided yet: 2 of 8 criteria met, 3 open: missing Splenomegaly, Haemophagocytosis, Low or absent NK-cell activity',
      'MS score cannot be decided yet: -4.25 to 1.03 against the cut-off -2.1: missing CNS involvement, Haemorrhage, Active arthritis',
    ]);
    expect(screen.undecided).toEqual({
      hlh2004: [
        'Splenomegaly',
        'Haemophagocytosis',
        'Low or absent NK-cell activity',
      ],
      msscore: ['CNS involvement', 'Haemorrhage', 'Active arthritis'],
    });
  });

  it('a partial panel is screened with what it has: values not measured are not assessed; only a calculator that cannot run at all is "not computed", never an error', () => {
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
    expect(screen.hscore?.missing).toContain('Temperature');
    expect(screen.notComputed).toEqual({
      'ferritin-esr':
        'esr: is required by ferritin/ESR ratio but the panel has none',
    });
    expect(screen.ferritinEsr).toBeUndefined();
  });

  it('an invalid panel (unknown unit) is still an error naming the field', () => {
    const error = clinicalErrorOf(() =>
      screenPanel({ ...florid, ferritin: q(12000, 'furlongs') }),
    );
    expect(error).toBeInstanceOf(ClinicalInputError);
    expect(error.field).toBe('ferritin.unit');
  });

  it('on tocilizumab the 2016 criteria are not applicable, and the laboratory criteria are reported as met though not applicable', () => {
    const screen = screenPanel(florid, { onTocilizumab: true });
    expect(screen.mas2016?.applicable).toBe(false);
    expect(screen.mas2016?.classified).toBe(false);
    expect(screen.reasons).not.toContain('2016 EULAR/ACR/PRINTO criteria met');
    expect(screen.reasons[0]).toBe(
      '2016 laboratory criteria met, though not applicable (the patient is on tocilizumab, which masks MAS features: the criteria are not valid)',
    );
    expect(screen.suggestive).toBe(true);
    // The other rules still see the panel.
    expect(screen.criteriaMet).toBe(screen.hscore?.meetsCutoff === true);
  });

  it('the tocilizumab option false leaves the panel as recorded; a panel recording tocilizumab stays on it', () => {
    expect(screenPanel(florid, { onTocilizumab: false })).toEqual(
      screenPanel(florid),
    );
    const recorded = screenPanel(
      { ...florid, onTocilizumab: true },
      { onTocilizumab: false },
    );
    expect(recorded.mas2016?.applicability).toBe('not-applicable');
  });

  it.each(['sJIA', 'AOSD'])(
    'a Still\'s disease recorded at admission (%s) stands for "known or suspected sJIA" where the panel leaves it open',
    (underlyingDisease) => {
      const { sjiaKnownOrSuspected: _left, ...open } = florid;
      const unread = screenPanel(open);
      expect(unread.mas2016?.outcome).toBe('undecided');
      expect(unread.mas2016?.missing).toEqual(['Known or suspected sJIA']);
      const read = screenPanel(open, { underlyingDisease });
      expect(read.mas2016?.classified).toBe(true);
      expect(read.mas2016?.missing).toEqual([]);
      expect(read).toEqual(screenPanel(florid));
      // The MS score and the ferritin/ESR ratio then speak too.
      expect(read.reasons.some((r) => r.startsWith('MS score '))).toBe(true);
    },
  );

  it('another underlying disease, or a panel recording sJIA absent, keeps the panel as recorded', () => {
    const { sjiaKnownOrSuspected: _left, ...open } = florid;
    expect(screenPanel(open, { underlyingDisease: 'SLE' })).toEqual(
      screenPanel(open),
    );
    const absent = { ...florid, sjiaKnownOrSuspected: false };
    expect(screenPanel(absent, { underlyingDisease: 'sJIA' })).toEqual(
      screenPanel(absent),
    );
    expect(
      screenPanel(absent, { underlyingDisease: 'sJIA' }).mas2016?.applicable,
    ).toBe(false);
  });

  it('the MS score waiting on one measurement says the value that decides, not a range', () => {
    const { ldh: _unmeasured, ...withoutLdh } = {
      ...flare,
      ...noOtherFindings,
    };
    const screen = screenPanel(withoutLdh);
    expect(screen.reasons).toContain(
      'MS score cannot be decided yet: missing LDH: it meets the cut-off -2.1 with LDH at or above 1150 U/L',
    );
  });

  it('the MS score and ferritin/ESR ratio speak only for a patient with sJIA recorded (not when absent, not when not assessed)', () => {
    const sjiaOnly = (reasons: readonly string[]) =>
      reasons.filter(
        (r) => r.startsWith('MS score ') || r.startsWith('ferritin/ESR ratio '),
      );
    const withSjia = screenPanel({ ...florid, ...noOtherFindings });
    expect(sjiaOnly(withSjia.reasons)).toEqual([
      'MS score 1.755 (>= -2.1)',
      'ferritin/ESR ratio 1000',
    ]);
    const { sjiaKnownOrSuspected: _s, ...unrecorded } = florid;
    for (const panel of [
      { ...florid, ...noOtherFindings, sjiaKnownOrSuspected: false },
      { ...unrecorded, ...noOtherFindings },
    ]) {
      expect(sjiaOnly(screenPanel(panel).reasons)).toEqual([]);
    }
  });

  it('only the MS score points to MAS: suggestive, but no criteria met', () => {
    const screen = screenPanel({
      ...noOtherFindings,
      febrile: false,
      sjiaKnownOrSuspected: true,
      cnsInvolvement: true,
      hemorrhage: true,
      temperatureC: 37,
      ferritin: q(600, 'ng/mL'),
      platelets: q(250, '10*9/L'),
      leukocytes: q(8, '10*9/L'),
      neutrophils: q(5, '10*9/L'),
      hemoglobin: q(120, 'g/L'),
      fibrinogen: q(300, 'mg/dL'),
      ast: q(20, 'U/L'),
      triglycerides: q(100, 'mg/dL'),
      ldh: q(500, 'U/L'),
      sCD25: q(500, 'U/mL'),
    });
    expect(screen).toMatchObject({
      suggestive: true,
      criteriaMet: false,
      reasons: ['MS score 2.59 (>= -2.1)'],
      undecided: {},
    });
  });

  it('an already parsed panel is screened as it is, with the same result', () => {
    expect(screenPanel(parseLabPanel(florid))).toEqual(screenPanel(florid));
  });
});

describe('screenPanel: a verdict that cannot be decided yet is never suggestive', () => {
  it('2016 laboratory criteria undecided (triglycerides and fibrinogen not measured): not suggestive, the reason names what is missing', () => {
    const screen = screenPanel({
      febrile: true,
      sjiaKnownOrSuspected: true,
      ferritin: q(5000, 'ng/mL'),
      platelets: q(250, '10*9/L'),
      ast: q(100, 'U/L'),
    });
    expect(screen.mas2016?.outcome).toBe('undecided');
    expect(screen.suggestive).toBe(false);
    expect(screen.criteriaMet).toBe(false);
    expect(screen.reasons).toContain(
      '2016 EULAR/ACR/PRINTO criteria cannot be decided yet: missing Triglycerides, Fibrinogen',
    );
    expect(screen.undecided['mas2016']).toEqual([
      'Triglycerides',
      'Fibrinogen',
    ]);
  });

  it('2016 laboratory criteria met but fever not recorded: no criteria met; the met laboratory criteria still point to MAS, as when not applicable', () => {
    const { febrile: _f, ...panel } = mas2016WorkedExamples[0].panel;
    const screen = screenPanel(panel);
    expect(screen.mas2016).toMatchObject({
      outcome: 'undecided',
      laboratoryOutcome: 'met',
    });
    expect(screen.criteriaMet).toBe(false);
    expect(screen.suggestive).toBe(true);
    expect(screen.reasons[0]).toBe(
      '2016 laboratory criteria met; the classification cannot be decided yet: missing Fever',
    );
    expect(screen.undecided['mas2016']).toEqual(['Fever']);
  });

  it('HScore straddling the cut-off: not met, not suggestive, the reachable range and what is missing', () => {
    const screen = screenPanel({
      ...noOtherFindings,
      hepatomegaly: true,
      splenomegaly: true,
      temperatureC: 39,
      ...hscoreCounts(3),
      ferritin: q(1000, 'ng/mL'),
      fibrinogen: q(4, 'g/L'),
      ast: q(20, 'U/L'),
    });
    expect(screen.hscore?.outcome).toBe('undecided');
    expect(screen.criteriaMet).toBe(false);
    expect(screen.reasons).toContain(
      'HScore cannot be decided yet: 105-169 against the cut-off 169: missing Triglycerides',
    );
    expect(screen.undecided['hscore']).toEqual(['Triglycerides']);
  });
});
