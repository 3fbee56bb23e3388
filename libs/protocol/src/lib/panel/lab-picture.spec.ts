import { describe, expect, it } from '@jest/globals';

import { clinicalErrorOf } from '../../spec-support/spec-support.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import {
  addToPicture,
  type LabPicture,
  pictureAsPanel,
  pictureAt,
  screenPicture,
} from './lab-picture.js';

const q = (value: number, unit: string) => ({ value, unit });
const T08 = '2026-03-01T08:00:00Z';
const T12 = '2026-03-01T12:00:00Z';
const T14 = '2026-03-01T14:00:00Z';

/** The morning panel of a febrile sJIA patient meeting the 2016 criteria. */
const morning = {
  febrile: true,
  sjiaKnownOrSuspected: true,
  ferritin: q(5000, 'ng/mL'),
  platelets: q(150, '10*9/L'),
  ast: q(80, 'U/L'),
  triglycerides: q(200, 'mg/dL'),
  fibrinogen: q(300, 'mg/dL'),
};

const withMorning = addToPicture(
  {},
  {
    collectedAt: T08,
    panel: morning,
    source: 'panel-1',
  },
);

describe('addToPicture: the latest value of each item, by sample time', () => {
  it('holds each item the panel carries, with its sample time and source', () => {
    expect(withMorning.ferritin).toEqual({
      value: q(5000, 'ng/mL'),
      collectedAt: T08,
      source: 'panel-1',
    });
    expect(withMorning.febrile).toEqual({
      value: true,
      collectedAt: T08,
      source: 'panel-1',
    });
    expect(withMorning.hemoglobin).toBeUndefined();
    expect(Object.keys(withMorning)).toHaveLength(7);
  });

  it('a later-collected value replaces an earlier one', () => {
    const picture = addToPicture(withMorning, {
      collectedAt: T14,
      panel: { ferritin: q(3000, 'ng/mL') },
    });
    expect(picture.ferritin).toEqual({
      value: q(3000, 'ng/mL'),
      collectedAt: T14,
    });
    // The others stay.
    expect(picture.platelets).toBe(withMorning.platelets);
  });

  it('an earlier-collected value arriving late never replaces a later one; its other items still join', () => {
    const later = addToPicture(withMorning, {
      collectedAt: T14,
      panel: { ferritin: q(3000, 'ng/mL') },
    });
    const late = addToPicture(later, {
      collectedAt: T12,
      panel: { ferritin: q(9000, 'ng/mL'), ldh: q(800, 'U/L') },
      source: 'late',
    });
    expect(late.ferritin).toEqual(later.ferritin);
    expect(late.ldh).toEqual({
      value: q(800, 'U/L'),
      collectedAt: T12,
      source: 'late',
    });
  });

  it('sample times compare as instants, whatever their time zone', () => {
    const later = addToPicture(withMorning, {
      collectedAt: T14,
      panel: { ferritin: q(3000, 'ng/mL') },
    });
    // 15:00 at +02:00 is 13:00 UTC: earlier than 14:00 UTC.
    const earlier = addToPicture(later, {
      collectedAt: '2026-03-01T15:00:00+02:00',
      panel: { ferritin: q(9000, 'ng/mL') },
    });
    expect(earlier.ferritin?.value).toEqual(q(3000, 'ng/mL'));
    // 17:00 at +02:00 is 15:00 UTC: later.
    const newer = addToPicture(later, {
      collectedAt: '2026-03-01T17:00:00+02:00',
      panel: { ferritin: q(9000, 'ng/mL') },
    });
    expect(newer.ferritin?.value).toEqual(q(9000, 'ng/mL'));
  });

  it('at the same sample time the panel added last wins (a correction)', () => {
    const corrected = addToPicture(withMorning, {
      collectedAt: T08,
      panel: { ferritin: q(500, 'ng/mL') },
      source: 'correction',
    });
    expect(corrected.ferritin).toEqual({
      value: q(500, 'ng/mL'),
      collectedAt: T08,
      source: 'correction',
    });
  });

  it('a finding not recorded in a later panel stays as it was (not assessed is not absent); one recorded absent replaces it', () => {
    const spleen = addToPicture(withMorning, {
      collectedAt: T08,
      panel: { splenomegaly: true },
    });
    const silent = addToPicture(spleen, {
      collectedAt: T14,
      panel: { hemoglobin: q(90, 'g/L') },
    });
    expect(silent.splenomegaly?.value).toBe(true);
    const absent = addToPicture(silent, {
      collectedAt: T14,
      panel: { splenomegaly: false },
    });
    expect(absent.splenomegaly).toEqual({ value: false, collectedAt: T14 });
  });

  it('never changes the picture it is given', () => {
    const before = structuredClone(withMorning);
    addToPicture(withMorning, {
      collectedAt: T14,
      panel: { ferritin: q(3000, 'ng/mL') },
    });
    expect(withMorning).toEqual(before);
  });

  it('refuses an invalid sample time, naming collectedAt', () => {
    for (const collectedAt of ['2026-03-01T08:00:00', 'today', '']) {
      expect(
        clinicalErrorOf(() => addToPicture({}, { collectedAt, panel: morning }))
          .field,
      ).toBe('collectedAt');
    }
  });

  it('refuses an invalid panel with its field under "panel."', () => {
    const error = clinicalErrorOf(() =>
      addToPicture({}, { collectedAt: T08, panel: { ferritin: q(1, 'mg') } }),
    );
    expect(error.field).toBe('panel.ferritin.unit');
    expect(
      clinicalErrorOf(() =>
        addToPicture(
          {},
          {
            collectedAt: T08,
            panel: { hemoglobin: q(40, 'g/dL') },
          },
        ),
      ).field,
    ).toBe('panel.hemoglobin.value');
  });

  it('refuses a stored picture whose sample time is invalid, naming the item', () => {
    const broken = {
      ferritin: { value: q(1, 'ng/mL'), collectedAt: 'x' },
    } as LabPicture;
    expect(
      clinicalErrorOf(() =>
        addToPicture(broken, {
          collectedAt: T08,
          panel: { ferritin: q(2, 'ng/mL') },
        }),
      ).field,
    ).toBe('ferritin.collectedAt');
  });
});

describe('pictureAt: the items known at a time, within the window', () => {
  const hours = (h: number) =>
    new Date(Date.parse(T08) + h * 3_600_000).toISOString();

  it('the window is protocol data: 24 hours (one daily monitoring interval, Jordan 2011)', () => {
    expect(masProtocolDefinition.labPicture.windowHours).toBe(24);
    expect(masProtocolDefinition.labPicture.evidence).toContain(
      'lit.jordan-2011',
    );
  });

  it('an item exactly 24 h old is in; one second older is out', () => {
    expect(pictureAt(withMorning, hours(24)).ferritin).toBeDefined();
    const later = pictureAt(
      withMorning,
      new Date(Date.parse(hours(24)) + 1000).toISOString(),
    );
    expect(later.ferritin).toBeUndefined();
    expect(later.febrile).toBeUndefined();
  });

  it('durable findings stay whatever their age', () => {
    const picture = addToPicture(withMorning, {
      collectedAt: T08,
      panel: {
        knownImmunosuppression: false,
        hemophagocytosis: true,
        nkActivityLowOrAbsent: true,
        molecularHlhDiagnosis: false,
        onTocilizumab: true,
        ageDays: 3000,
        splenomegaly: true,
        explainedOtherwise: ['platelets'],
        temperatureC: 39,
      },
    });
    expect(Object.keys(pictureAt(picture, hours(24 * 10))).sort()).toEqual(
      [
        'ageDays',
        'hemophagocytosis',
        'knownImmunosuppression',
        'molecularHlhDiagnosis',
        'nkActivityLowOrAbsent',
        'onTocilizumab',
        'sjiaKnownOrSuspected',
      ].sort(),
    );
  });

  it('an item collected after the time asked about is not known then', () => {
    expect(pictureAt(withMorning, '2026-03-01T07:59:59Z')).toEqual({});
    expect(pictureAt(withMorning, T08)).toEqual(withMorning);
  });

  it('takes another window when asked, and refuses a negative or non-finite one', () => {
    expect(pictureAt(withMorning, hours(6), 6).ferritin).toBeDefined();
    expect(pictureAt(withMorning, hours(6.01), 6).ferritin).toBeUndefined();
    for (const windowHours of [-1, Number.NaN]) {
      expect(
        clinicalErrorOf(() => pictureAt(withMorning, T08, windowHours)).field,
      ).toBe('windowHours');
    }
  });

  it('refuses an invalid time, naming "at"', () => {
    expect(clinicalErrorOf(() => pictureAt(withMorning, 'now')).field).toBe(
      'at',
    );
  });
});

describe('pictureAsPanel: the picture as a panel, with the sample of each item', () => {
  it('gives the values and, for each item, the sample time (and source) it came from', () => {
    const picture = addToPicture(withMorning, {
      collectedAt: T12,
      panel: { hemoglobin: q(88, 'g/L'), leukocytes: q(3, '10*9/L') },
    });
    const { panel, provenance } = pictureAsPanel(picture);
    expect(panel).toEqual({
      ...morning,
      hemoglobin: q(88, 'g/L'),
      leukocytes: q(3, '10*9/L'),
    });
    expect(provenance).toEqual({
      febrile: { collectedAt: T08, source: 'panel-1' },
      sjiaKnownOrSuspected: { collectedAt: T08, source: 'panel-1' },
      ferritin: { collectedAt: T08, source: 'panel-1' },
      platelets: { collectedAt: T08, source: 'panel-1' },
      ast: { collectedAt: T08, source: 'panel-1' },
      triglycerides: { collectedAt: T08, source: 'panel-1' },
      fibrinogen: { collectedAt: T08, source: 'panel-1' },
      hemoglobin: { collectedAt: T12 },
      leukocytes: { collectedAt: T12 },
    });
  });
});

describe('screenPicture: the calculators on the combined picture', () => {
  it('a second small panel (haemoglobin, white cells) keeps the morning values: a picture that met the 2016 criteria still does', () => {
    expect(screenPicture(withMorning, T08).screen.mas2016?.classified).toBe(
      true,
    );
    const picture = addToPicture(withMorning, {
      collectedAt: T12,
      panel: { hemoglobin: q(88, 'g/L'), leukocytes: q(3, '10*9/L') },
      source: 'panel-2',
    });
    const result = screenPicture(picture, T14);
    expect(result.screen.mas2016?.classified).toBe(true);
    expect(result.screen.criteriaMet).toBe(true);
    expect(result.screen.reasons[0]).toBe('2016 EULAR/ACR/PRINTO criteria met');
    expect(result.provenance.ferritin).toEqual({
      collectedAt: T08,
      source: 'panel-1',
    });
    expect(result.provenance.hemoglobin).toEqual({
      collectedAt: T12,
      source: 'panel-2',
    });
    expect(result).toMatchObject({
      at: T14,
      windowHours: 24,
      excluded: [],
      evidence: masProtocolDefinition.labPicture.evidence,
    });
    expect(result.panel.hemoglobin).toEqual(q(88, 'g/L'));
  });

  it('values out of the window are not assessed: the 2016 verdict cannot be decided yet, naming them; the excluded items are listed', () => {
    const result = screenPicture(withMorning, '2026-03-02T09:00:00Z');
    expect(result.screen.mas2016?.outcome).toBe('undecided');
    expect(result.screen.suggestive).toBe(false);
    expect(result.screen.reasons).toContain(
      '2016 EULAR/ACR/PRINTO criteria cannot be decided yet: missing Fever, Ferritin, Platelets, AST, Triglycerides, Fibrinogen',
    );
    expect(result.excluded).toEqual(
      [
        'febrile',
        'ferritin',
        'platelets',
        'ast',
        'triglycerides',
        'fibrinogen',
      ].map((item) => ({
        item,
        collectedAt: T08,
        reason: 'older-than-window',
      })),
    );
    // Known sJIA is durable.
    expect(result.provenance).toEqual({
      sjiaKnownOrSuspected: { collectedAt: T08, source: 'panel-1' },
    });
  });

  it('lists an item collected after the time asked about as excluded', () => {
    expect(screenPicture(withMorning, '2026-03-01T07:00:00Z').excluded).toEqual(
      expect.arrayContaining([
        { item: 'ferritin', collectedAt: T08, reason: 'collected-after' },
      ]),
    );
  });

  it('passes tocilizumab and the window on', () => {
    const onToci = screenPicture(withMorning, T08, { onTocilizumab: true });
    expect(onToci.screen.mas2016?.applicability).toBe('not-applicable');
    const narrow = screenPicture(withMorning, T12, { windowHours: 2 });
    expect(narrow.windowHours).toBe(2);
    expect(narrow.screen.mas2016?.outcome).toBe('undecided');
  });
});
