/**
 * @jest-environment node
 */
import { describe, expect, it } from '@jest/globals';

import {
  addToPicture,
  convertQuantity,
  type LabPanelInput,
  masProtocolDefinition,
} from '@mas/protocol';
import {
  activeSjiaFlare,
  febrileSjia,
  floridMas,
  improved,
  panelOf,
  worse,
} from '@mas/testing';

import {
  calculatorViews,
  criterionValue,
  displayUnit,
  type LabSeries,
  labSeries,
  prettify,
  readPanels,
  screenEpisodePicture,
  screenLatest,
  statusText,
  thresholdLines,
} from './labs.model.js';

const { analytes, mas2016, hlh2004, hscore } = masProtocolDefinition;

const florid = panelOf(floridMas, febrileSjia);
/** A small panel: haemoglobin and white cells only. */
const countsOnly: LabPanelInput = {
  hemoglobin: { value: 85, unit: 'g/L' },
  leukocytes: { value: 3.1, unit: '10*9/L' },
};
const episode = [
  { at: '2026-03-01T08:00:00Z', panel: florid },
  { at: '2026-03-02T08:00:00Z', panel: panelOf(worse(floridMas), febrileSjia) },
  {
    at: '2026-03-04T08:00:00Z',
    panel: panelOf(improved(floridMas), febrileSjia),
  },
];

function seriesOf(all: readonly LabSeries[], analyte: string): LabSeries {
  const found = all.find((s) => s.analyte === analyte);
  if (!found) throw new Error(`no ${analyte} series`);
  return found;
}

function firstForm(criterion: {
  readonly anyOf: readonly { value: number; unit: string; op: string }[];
}): { value: number; unit: string; op: string } {
  const [threshold] = criterion.anyOf;
  if (!threshold) throw new Error('criterion without threshold');
  return threshold;
}

describe('labSeries', () => {
  it('gives one series per analyte with a value, points in time order', () => {
    const series = labSeries([...episode].reverse());
    const ferritin = seriesOf(series, 'ferritin');
    expect(ferritin.unit).toBe(analytes.ferritin.canonicalUnit);
    expect(ferritin.points.map((p) => p.at)).toEqual(episode.map((e) => e.at));
    expect(ferritin.points.map((p) => p.value)).toEqual([
      floridMas.ferritinNgMl,
      worse(floridMas).ferritinNgMl,
      improved(floridMas).ferritinNgMl,
    ]);
    // Not recorded in these panels: no chart.
    expect(series.some((s) => s.analyte === 'crp')).toBe(false);
    expect(series.some((s) => s.analyte === 'dDimer')).toBe(false);
    // The key analytes lead.
    expect(series.slice(0, 5).map((s) => s.analyte)).toEqual([
      'ferritin',
      'platelets',
      'fibrinogen',
      'ast',
      'sCD25',
    ]);
    expect(series.map((s) => s.analyte)).toContain('temperatureC');
  });

  it('converts panels recorded in different units to the canonical unit', () => {
    const inOtherUnits: LabPanelInput = {
      ...febrileSjia,
      fibrinogen: { value: floridMas.fibrinogenMgDl / 100, unit: 'g/L' },
      platelets: { value: floridMas.plateletsPer1e9L * 1000, unit: '/uL' },
      hemoglobin: { value: floridMas.hemoglobinGL / 10, unit: 'g/dL' },
      triglycerides: {
        value: convertQuantity(
          { value: floridMas.triglyceridesMgDl, unit: 'mg/dL' },
          'mmol/L',
          'triglycerides',
          analytes.triglycerides.molarMassGPerMol,
        ),
        unit: 'mmol/L',
      },
    };
    const series = labSeries([
      { at: '2026-03-01T08:00:00Z', panel: florid },
      { at: '2026-03-01T20:00:00Z', panel: inOtherUnits },
    ]);
    for (const analyte of [
      'fibrinogen',
      'platelets',
      'hemoglobin',
      'triglycerides',
    ] as const) {
      const s = seriesOf(series, analyte);
      expect(s.unit).toBe(analytes[analyte].canonicalUnit);
      const [first, second] = s.points;
      expect(second?.value).toBeCloseTo(first?.value ?? Number.NaN, 6);
      expect(second?.recorded.unit).not.toBe(first?.recorded.unit);
    }
    // Fibrinogen was recorded in mg/dL and is shown in g/L.
    const fibrinogen = seriesOf(series, 'fibrinogen');
    expect(fibrinogen.unit).toBe('g/L');
    expect(fibrinogen.points[0]?.recorded).toEqual({
      value: floridMas.fibrinogenMgDl,
      unit: 'mg/dL',
    });
    expect(fibrinogen.points[0]?.value).toBeCloseTo(
      floridMas.fibrinogenMgDl / 100,
      9,
    );
  });

  it('leaves out a panel the protocol library refuses, with its reason', () => {
    const bad = {
      at: '2026-03-03T08:00:00Z',
      panel: { ferritin: { value: 500, unit: 'mg/dL' } },
    };
    const { read, rejected } = readPanels([...episode, bad]);
    expect(read).toHaveLength(episode.length);
    expect(rejected).toEqual([
      { at: bad.at, reason: expect.stringContaining('ferritin.unit') },
    ]);
    expect(
      seriesOf(labSeries([...episode, bad]), 'ferritin').points,
    ).toHaveLength(episode.length);
  });
});

describe('threshold lines', () => {
  const series = labSeries(episode);

  it('draws the 2016 criteria at the protocol figures, in canonical units', () => {
    for (const criterion of [mas2016.required, ...mas2016.additional]) {
      const published = firstForm(criterion);
      const line = seriesOf(series, criterion.analyte).thresholds.find(
        (t) => t.source === 'mas2016',
      );
      expect(line?.published).toEqual(published);
      expect(line?.value).toBeCloseTo(
        convertQuantity(
          published,
          analytes[criterion.analyte].canonicalUnit,
          criterion.analyte,
          analytes[criterion.analyte].molarMassGPerMol,
        ),
        9,
      );
      expect(line?.label).toContain('2016 criteria');
      expect(line?.label).toContain(String(published.value));
      expect(line?.evidence).toEqual(mas2016.evidence);
    }
    const ferritinLine = seriesOf(series, 'ferritin').thresholds.find(
      (t) => t.source === 'mas2016',
    );
    expect(ferritinLine?.value).toBe(firstForm(mas2016.required).value);
    expect(ferritinLine?.label).toBe(
      `2016 criteria: Ferritin > ${firstForm(mas2016.required).value} ng/mL`,
    );
  });

  it('draws HLH-2004 and HScore thresholds from the protocol data', () => {
    const fibrinogen = seriesOf(series, 'fibrinogen').thresholds;
    const hlhFibrinogen = fibrinogen.find((t) => t.source === 'hlh2004');
    expect(hlhFibrinogen?.value).toBe(firstForm(hlh2004.fibrinogen).value);
    expect(hlhFibrinogen?.label).toBe(
      `HLH-2004: Fibrinogen ≤ ${firstForm(hlh2004.fibrinogen).value} g/L`,
    );
    const scoring = hscore.fibrinogen.bands.filter((b) => b.points > 0);
    expect(
      fibrinogen.filter((t) => t.source === 'hscore').map((t) => t.value),
    ).toEqual(scoring.map((b) => b.max?.value ?? b.min?.value));

    const sCD25 = seriesOf(series, 'sCD25').thresholds;
    expect(sCD25.map((t) => t.value)).toEqual([firstForm(hlh2004.sCD25).value]);

    const ferritinHscore = seriesOf(series, 'ferritin')
      .thresholds.filter((t) => t.source === 'hscore')
      .map((t) => t.value);
    expect(ferritinHscore).toEqual(
      hscore.ferritin.bands
        .filter((b) => b.points > 0)
        .map((b) => b.min?.value),
    );

    const plateletsHscore = seriesOf(series, 'platelets').thresholds.find(
      (t) => t.source === 'hscore',
    );
    const lineage = hscore.cytopenias.lineages.find(
      (l) => l.analyte === 'platelets',
    );
    if (!lineage) throw new Error('no HScore platelet lineage');
    expect(plateletsHscore?.published).toEqual(lineage.threshold);
    expect(plateletsHscore?.value).toBeCloseTo(
      convertQuantity(
        lineage.threshold,
        analytes.platelets.canonicalUnit,
        'platelets',
      ),
      9,
    );

    const temperature = seriesOf(series, 'temperatureC').thresholds;
    expect(temperature.find((t) => t.source === 'hlh2004')?.value).toBe(
      hlh2004.feverConvention.threshold.value,
    );
  });

  it('draws the neonatal haemoglobin limit only for a young patient', () => {
    const neonatal = hlh2004.cytopenias.lineages.find(
      (l) => l.analyte === 'hemoglobin',
    )?.belowAge;
    expect(neonatal).toBeDefined();
    const values = (ageDays?: number) =>
      thresholdLines(
        readPanels([
          {
            at: '2026-03-01T08:00:00Z',
            panel: { ...florid, ...(ageDays === undefined ? {} : { ageDays }) },
          },
        ]).read,
      )
        .filter((t) => t.analyte === 'hemoglobin' && t.source === 'hlh2004')
        .map((t) => t.value);
    expect(values()).not.toContain(neonatal?.threshold.value);
    expect(values((neonatal?.ageDays ?? 0) - 1)).toContain(
      neonatal?.threshold.value,
    );
  });
});

describe('calculators on the latest panel', () => {
  it('classifies a florid MAS panel under the 2016 criteria', () => {
    const latest = screenLatest(
      [{ at: episode[0]?.at ?? '', panel: florid }],
      false,
    );
    expect(latest.kind).toBe('screened');
    if (latest.kind !== 'screened') return;
    const [view] = calculatorViews(latest.screen);
    expect(view?.id).toBe('mas2016');
    expect(view?.result).toBe('Classified as MAS');
    expect(view?.criteria.filter((c) => c.met).map((c) => c.id)).toEqual([
      'ferritin',
      'platelets',
      'ast',
      'triglycerides',
      'fibrinogen',
    ]);
    expect(view?.evidence).toEqual(mas2016.evidence);
    const hscoreView = calculatorViews(latest.screen).find(
      (v) => v.id === 'hscore',
    );
    expect(hscoreView?.computed).toBe(true);
    expect(hscoreView?.result).toContain(
      `probability ${latest.screen.hscore?.probability ?? ''}`,
    );
  });

  it('uses the latest panel, whatever the order given', () => {
    const latest = screenLatest(
      [
        {
          at: '2026-03-05T08:00:00Z',
          panel: panelOf(activeSjiaFlare, febrileSjia),
        },
        { at: '2026-03-01T08:00:00Z', panel: florid },
      ],
      false,
    );
    expect(latest.kind === 'screened' && latest.at).toBe(
      '2026-03-05T08:00:00Z',
    );
    expect(
      latest.kind === 'screened' && latest.screen.mas2016?.classified,
    ).toBe(false);
  });

  it('computes the HScore without a temperature: the temperature not assessed, the reachable range given', () => {
    const { temperatureC: _temperature, ...withoutTemperature } = florid;
    const latest = screenLatest(
      [{ at: '2026-03-01T08:00:00Z', panel: withoutTemperature }],
      false,
    );
    if (latest.kind !== 'screened') throw new Error('not screened');
    const result = latest.screen.hscore;
    const view = calculatorViews(latest.screen).find((v) => v.id === 'hscore');
    expect(view?.computed).toBe(true);
    expect(view?.missing).toContain('Temperature');
    expect(view?.details.join(' ')).toContain('Not assessed: ');
    expect(view?.details.join(' ')).toContain(
      `${String(result?.range.min)}–${String(result?.range.max)} of ${String(result?.maximum)} points reachable`,
    );
    const temperature = view?.criteria.find(
      (c) => c.status === 'not-assessed' && c.missing?.includes('Temperature'),
    );
    expect(temperature).toBeDefined();
    expect(statusText('not-assessed')).toBe('not assessed');
    expect(view?.evidence).toEqual(hscore.evidence);
  });

  it('says "cannot be decided yet" for a panel of blood counts alone, never "not met"', () => {
    const latest = screenLatest(
      [{ at: '2026-03-01T08:00:00Z', panel: countsOnly }],
      false,
    );
    if (latest.kind !== 'screened') throw new Error('not screened');
    const views = calculatorViews(latest.screen);
    const byId = (id: string) => views.find((v) => v.id === id);
    expect(byId('mas2016')?.outcome).toBe('undecided');
    expect(byId('mas2016')?.result).toBe('Cannot be decided yet');
    expect(byId('mas2016')?.missing).toContain('Ferritin');
    expect(byId('hscore')?.outcome).toBe('undecided');
    expect(byId('hscore')?.result).toMatch(
      /^Cannot be decided yet: \d+–\d+ of \d+ points reachable \(cut-off ≥ \d+\)$/,
    );
    expect(byId('hlh2004')?.result).toMatch(
      /not assessed: cannot be decided yet$/,
    );
    const ferritin = byId('mas2016')?.criteria.find((c) => c.id === 'ferritin');
    expect(ferritin?.status).toBe('not-assessed');
    expect(ferritin && criterionValue(ferritin)).toBe('not assessed');
  });

  it("computes on the episode's lab picture: a panel of blood counts keeps the morning's ferritin", () => {
    const morning = addToPicture(
      {},
      { collectedAt: '2026-03-01T08:00:00Z', panel: florid },
    );
    const picture = addToPicture(morning, {
      collectedAt: '2026-03-01T14:00:00Z',
      panel: countsOnly,
    });
    const latest = screenEpisodePicture(picture, '2026-03-01T15:00:00Z', false);
    if (latest.kind !== 'picture') throw new Error('no picture screen');
    const [view] = calculatorViews(latest.screen);
    expect(view?.result).toBe('Classified as MAS');
    const item = (id: string) => latest.items.find((i) => i.item === id);
    expect(item('ferritin')?.collectedAt).toBe('2026-03-01T08:00:00Z');
    expect(item('hemoglobin')?.collectedAt).toBe('2026-03-01T14:00:00Z');
    expect(item('hemoglobin')?.label).toBe(analytes.hemoglobin.label);
  });

  it('passes tocilizumab to the 2016 criteria', () => {
    const latest = screenLatest(
      [{ at: '2026-03-01T08:00:00Z', panel: florid }],
      true,
    );
    if (latest.kind !== 'screened') throw new Error('not screened');
    const [view] = calculatorViews(latest.screen);
    expect(view?.result).toBe(
      'Not applicable (the laboratory criteria are met)',
    );
    expect(view?.details.join(' ')).toContain('tocilizumab');
    expect(view?.evidence).toEqual([
      ...mas2016.evidence,
      ...mas2016.tocilizumabEvidence,
    ]);
  });

  it('reports a latest panel it cannot read instead of an older one', () => {
    const latest = screenLatest(
      [
        ...episode,
        {
          at: '2026-03-06T08:00:00Z',
          panel: { ferritin: { value: 500, unit: 'mg/dL' } },
        },
      ],
      false,
    );
    expect(latest.kind).toBe('rejected');
  });

  it('has nothing to compute without panels', () => {
    expect(screenLatest([], false)).toEqual({ kind: 'none' });
  });
});

describe('displayUnit', () => {
  it('makes UCUM codes readable', () => {
    expect(displayUnit('10*9/L')).toBe('×10⁹/L');
    expect(displayUnit('Cel')).toBe('°C');
    expect(displayUnit('umol/L')).toBe('µmol/L');
    expect(displayUnit('U/mL')).toBe('U/mL');
    expect(displayUnit('1')).toBe('');
  });
});

describe('free text of the protocol library, as clinicians read it', () => {
  it('writes units, comparisons, arrows and rounded percentages', () => {
    expect(
      prettify(
        'platelets 95 -> 90 10*9/L (-5.454545455%): stable (improving needs a rise of >= 20%)',
      ),
    ).toBe(
      'Platelets 95 → 90 ×10⁹/L (-5%): stable (improving needs a rise of ≥ 20%)',
    );
    expect(prettify('ferritin +12.5% and +0.4%, bilirubin 30 umol/L')).toBe(
      'Ferritin +13% and 0%, Bilirubin (total) 30 µmol/L',
    );
  });
});
