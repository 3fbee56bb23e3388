import { describe, expect, it } from '@jest/globals';
import { render, screen, within } from '@testing-library/react';

import {
  addToPicture,
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

import { LabsPanel } from './labs-panel.js';

const { mas2016, hlh2004, hscore } = masProtocolDefinition;
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

function figureOf(caption: string): HTMLElement {
  return screen.getByRole('figure', { name: caption });
}

function calculator(name: RegExp): HTMLElement {
  return screen.getByRole('article', { name });
}

describe('LabsPanel', () => {
  it('says so when no labs are recorded', () => {
    render(<LabsPanel panels={[]} tocilizumabGiven={false} />);
    expect(screen.getByText('No labs recorded yet')).toBeTruthy();
    expect(screen.queryByRole('figure')).toBeNull();
  });

  it('has h3 headings for the trends and the calculators', () => {
    render(<LabsPanel panels={episode} tocilizumabGiven={false} />);
    const headings = screen
      .getAllByRole('heading', { level: 3 })
      .map((h) => h.textContent);
    expect(headings).toEqual(['Lab trends', 'Calculators']);
  });

  it('draws a captioned chart per analyte with its values in a table', () => {
    const { container } = render(
      <LabsPanel panels={episode} tocilizumabGiven={false} />,
    );
    const ferritin = figureOf('Ferritin (ng/mL)');
    expect(ferritin.querySelector('svg.recharts-surface')).not.toBeNull();
    const rows = within(ferritin)
      .getByRole('table', { name: 'Values of Ferritin (ng/mL)' })
      .querySelectorAll('tbody tr');
    expect(rows).toHaveLength(episode.length);
    expect(rows[0]?.textContent).toContain('2026-03-01 08:00 UTC');
    expect(rows[0]?.textContent).toContain(String(floridMas.ferritinNgMl));
    expect(figureOf('Platelets (×10⁹/L)')).toBeTruthy();
    expect(figureOf('Soluble CD25 (sIL-2R) (U/mL)')).toBeTruthy();
    // CRP was never recorded: no chart.
    expect(screen.queryByRole('figure', { name: /^CRP/ })).toBeNull();
    // One reference line per threshold of the series.
    expect(
      ferritin.querySelectorAll('.recharts-reference-line').length,
    ).toBeGreaterThan(0);
    expect(container.querySelectorAll('figure figcaption').length).toBe(
      screen.getAllByRole('figure').length,
    );
  });

  it('labels the threshold lines with the protocol figures', () => {
    render(<LabsPanel panels={episode} tocilizumabGiven={false} />);
    const ferritinKey = within(figureOf('Ferritin (ng/mL)')).getByRole('list', {
      name: 'Threshold lines',
    });
    const required = mas2016.required.anyOf[0];
    expect(ferritinKey.textContent).toContain(
      `2016 criteria: Ferritin > ${String(required?.value)} ng/mL`,
    );
    // Four lines close together: named by the key alone, never printed
    // over each other on the chart.
    const drawn = [
      ...figureOf('Ferritin (ng/mL)').querySelectorAll('svg text'),
    ].map((text) => text.textContent);
    expect(drawn).not.toContain(`2016 > ${String(required?.value)}`);
    // A chart of one or two lines names them on the chart too.
    const fewLines = [...document.querySelectorAll('figure.labs-chart')].filter(
      (figure) => {
        const lines = figure.querySelectorAll('.labs-chart__key li').length;
        return lines > 0 && lines <= 2;
      },
    );
    expect(fewLines.length).toBeGreaterThan(0);
    for (const figure of fewLines) {
      const named = [...figure.querySelectorAll('svg text')].filter((text) =>
        /[<>≤≥]/.test(text.textContent),
      );
      expect(named).toHaveLength(
        figure.querySelectorAll('.labs-chart__key li').length,
      );
    }
    const fibrinogenKey = within(figureOf('Fibrinogen (g/L)')).getByRole(
      'list',
      { name: 'Threshold lines' },
    );
    expect(fibrinogenKey.textContent).toContain(
      `HLH-2004: Fibrinogen ≤ ${String(hlh2004.fibrinogen.anyOf[0]?.value)} g/L`,
    );
  });

  it('shows a value recorded in another unit in the canonical unit', () => {
    const inGramsPerLitre: LabPanelInput = {
      ...florid,
      fibrinogen: { value: floridMas.fibrinogenMgDl / 100, unit: 'g/L' },
    };
    render(
      <LabsPanel
        panels={[
          { at: '2026-03-01T08:00:00Z', panel: florid },
          { at: '2026-03-01T20:00:00Z', panel: inGramsPerLitre },
        ]}
        tocilizumabGiven={false}
      />,
    );
    const rows = figureOf('Fibrinogen (g/L)').querySelectorAll('tbody tr');
    const cells = [...rows].map((row) =>
      [...row.querySelectorAll('td')].map((td) => td.textContent),
    );
    const canonical = String(floridMas.fibrinogenMgDl / 100);
    expect(cells).toEqual([
      [canonical, `${String(floridMas.fibrinogenMgDl)} mg/dL`],
      [canonical, `${canonical} g/L`],
    ]);
  });

  it('explains the 2016 result of a florid MAS panel as decision support', () => {
    render(
      <LabsPanel
        panels={[{ at: '2026-03-01T08:00:00Z', panel: florid }]}
        tocilizumabGiven={false}
      />,
    );
    expect(screen.getByText(/Decision support only/)).toBeTruthy();
    const card = calculator(/2016 EULAR\/ACR\/PRINTO/);
    expect(within(card).getByText('Classified as MAS')).toBeTruthy();
    const metRows = card.querySelectorAll('tr[data-status="met"]');
    expect(
      [...metRows].map((row) => row.getAttribute('data-criterion')),
    ).toEqual([
      mas2016.required.id,
      ...mas2016.additional.map((criterion) => criterion.id),
    ]);
    const ferritinRow = card.querySelector('tr[data-criterion="ferritin"]');
    expect(ferritinRow?.textContent).toContain(
      `${String(floridMas.ferritinNgMl)} ng/mL`,
    );
    expect(ferritinRow?.textContent).toContain(
      `> ${String(mas2016.required.anyOf[0]?.value)} ng/mL`,
    );
    for (const id of mas2016.evidence) {
      expect(within(card).getByText(id)).toBeTruthy();
    }
  });

  it('shows the HScore points and probability, and HLH-2004 criteria met of 8', () => {
    render(
      <LabsPanel
        panels={[{ at: '2026-03-01T08:00:00Z', panel: florid }]}
        tocilizumabGiven={false}
      />,
    );
    const hscoreCard = calculator(/HScore/);
    expect(hscoreCard.textContent).toMatch(/\d+ of \d+ points: probability/);
    expect(hscoreCard.querySelector('th')?.textContent).toBe('Criterion');
    for (const id of hscore.evidence) {
      expect(within(hscoreCard).getByText(id)).toBeTruthy();
    }
    const hlhCard = calculator(/HLH-2004/);
    expect(hlhCard.textContent).toContain(
      `of ${String(hlh2004.criteriaTotal)} criteria met`,
    );
  });

  it('shows an item not assessed as such, with the reachable HScore range', () => {
    const { temperatureC: _temperature, ...withoutTemperature } = florid;
    render(
      <LabsPanel
        panels={[{ at: '2026-03-01T08:00:00Z', panel: withoutTemperature }]}
        tocilizumabGiven={false}
      />,
    );
    const card = calculator(/HScore/);
    expect(within(card).queryByText('Not computed')).toBeNull();
    expect(card.textContent).toMatch(/\d+–\d+ of \d+ points reachable/);
    expect(card.textContent).toContain('Not assessed: ');
    expect(card.textContent).toContain('Temperature');
    const rows = card.querySelectorAll('tr[data-status="not-assessed"]');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.textContent).toContain('not assessed');
      expect(row.textContent).not.toMatch(/\bnot met\b/);
    }
  });

  it('says the 2016 criteria cannot be decided yet on blood counts alone', () => {
    render(
      <LabsPanel
        panels={[{ at: '2026-03-01T14:00:00Z', panel: countsOnly }]}
        tocilizumabGiven={false}
      />,
    );
    const card = calculator(/2016 EULAR\/ACR\/PRINTO/);
    expect(card.getAttribute('data-outcome')).toBe('undecided');
    expect(within(card).getByText('Cannot be decided yet')).toBeTruthy();
    expect(
      card.querySelector('tr[data-criterion="ferritin"]')?.textContent,
    ).toContain('not assessed');
  });

  it("computes on the episode's lab picture when there is one: earlier values stay, each with its sample time", () => {
    const picture = addToPicture(
      addToPicture({}, { collectedAt: '2026-03-01T08:00:00Z', panel: florid }),
      { collectedAt: '2026-03-01T14:00:00Z', panel: countsOnly },
    );
    render(
      <LabsPanel
        panels={[
          { at: '2026-03-01T08:00:00Z', panel: florid },
          { at: '2026-03-01T14:00:00Z', panel: countsOnly },
        ]}
        picture={{ picture, at: '2026-03-01T15:00:00Z' }}
        tocilizumabGiven={false}
      />,
    );
    const card = calculator(/2016 EULAR\/ACR\/PRINTO/);
    expect(within(card).getByText('Classified as MAS')).toBeTruthy();
    expect(screen.getByText(/Lab picture at/)).toBeTruthy();
    const ferritin = document.querySelector(
      '.labs-picture tr[data-item="ferritin"]',
    );
    expect(ferritin?.textContent).toContain('2026-03-01 08:00 UTC');
    const hemoglobin = document.querySelector(
      '.labs-picture tr[data-item="hemoglobin"]',
    );
    expect(hemoglobin?.textContent).toContain('2026-03-01 14:00 UTC');
  });

  it('passes tocilizumab to the calculators', () => {
    render(
      <LabsPanel
        panels={[{ at: '2026-03-01T08:00:00Z', panel: florid }]}
        tocilizumabGiven
      />,
    );
    expect(screen.getByText(/Tocilizumab was given/)).toBeTruthy();
    const card = calculator(/2016 EULAR\/ACR\/PRINTO/);
    expect(card.textContent).not.toContain('Classified as MAS');
    expect(card.textContent).toContain('tocilizumab');
  });

  it('computes on the latest panel and reports a panel it cannot read', () => {
    render(
      <LabsPanel
        panels={[
          { at: '2026-03-01T08:00:00Z', panel: florid },
          {
            at: '2026-03-02T08:00:00Z',
            panel: panelOf(activeSjiaFlare, febrileSjia),
          },
          {
            at: '2026-03-01T12:00:00Z',
            panel: { ferritin: { value: 1, unit: 'mmol/L' } },
          },
        ]}
        tocilizumabGiven={false}
      />,
    );
    expect(screen.getByRole('alert').textContent).toContain('ferritin.unit');
    expect(
      within(calculator(/2016 EULAR\/ACR\/PRINTO/)).getByText(
        'Not classified as MAS',
      ),
    ).toBeTruthy();
  });
});
