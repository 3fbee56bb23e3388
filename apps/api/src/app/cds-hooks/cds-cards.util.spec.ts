import { describe, expect, it } from '@jest/globals';

import type { EventOption } from '@mas/mas-episode';

import {
  type CardEpisode,
  orderedDrug,
  orderSignCard,
  patientViewCards,
} from './cds-cards.util.js';

const option = (
  type: EventOption['type'],
  variant: string,
  status: EventOption['status'],
  reason: string,
): EventOption => ({
  type,
  variant,
  label: `${type} ${variant}`,
  group: 'escalate',
  status,
  reason,
  evidence: ['seed.refractory.1'],
  examplePayload: {},
});

const episode = (over: Partial<CardEpisode> = {}): CardEpisode => ({
  id: 'e-1',
  stage: 'first line',
  nextDueAt: '2026-03-01T20:00:00.000Z',
  overdue: false,
  alerts: [],
  allowed: [],
  blocked: [],
  ...over,
});

let n = 0;
const uuid = () => `u-${String((n += 1))}`;

describe('CDS cards', () => {
  it('finds the protocol drug of an order by ATC code, name or alias, and none otherwise', () => {
    const order = (concept: object) => ({ medicationCodeableConcept: concept });
    expect(
      orderedDrug(
        order({
          coding: [{ system: 'http://www.whocc.no/atc', code: 'L04AC03' }],
        }),
      ),
    ).toBe('anakinra');
    expect(orderedDrug(order({ text: 'Emapalumab 1 mg/kg' }))).toBe(
      'emapalumab',
    );
    expect(orderedDrug(order({ text: 'Cyclosporine oral' }))).toBe(
      'ciclosporin',
    );
    expect(orderedDrug(order({ text: 'Paracetamol' }))).toBeNull();
    // By whole words and the names wards write, never a piece of a word.
    expect(orderedDrug(order({ text: 'Solu-Medrol 500 mg IV' }))).toBe(
      'methylprednisolone',
    );
    expect(orderedDrug(order({ text: 'IVMP pulse' }))).toBe(
      'methylprednisolone',
    );
    expect(orderedDrug(order({ text: 'Methylprednisolone' }))).toBe(
      'methylprednisolone',
    );
    expect(
      orderedDrug(order({ text: 'Dexamethasoneacetate cream' })),
    ).toBeNull();
    expect(orderedDrug(order({ text: 'nonanakinraform' }))).toBeNull();
    expect(orderedDrug({})).toBeNull();
  });

  it('says a blocked drug is not allowed, why, with its evidence, and the request allowed instead', () => {
    const card = orderSignCard(
      episode({
        blocked: [
          option(
            'therapy.started',
            'etoposide',
            'blocked',
            'needs a second senior',
          ),
        ],
        allowed: [
          {
            ...option('escalation.requested', 'etoposide', 'allowed', 'ok'),
            label: 'Request escalation to low-dose etoposide',
          },
        ],
      }),
      'etoposide',
      'the institution sets the dose of etoposide',
      'https://mas.example',
      uuid,
    );
    expect(card).toMatchObject({
      summary: 'MAS protocol: low-dose etoposide is not allowed now',
      indicator: 'warning',
      links: [{ url: 'https://mas.example/#/episodes/e-1' }],
    });
    expect(card.detail).toBe(
      'needs a second senior. Evidence: seed.refractory.1. Allowed instead: Request escalation to low-dose etoposide (a second senior approves). No standard dose: the institution sets the dose of etoposide.',
    );
    expect(card.overrideReasons?.length).toBe(3);
  });

  it('says an allowed drug may start, with the dose and the cap that applied', () => {
    const card = orderSignCard(
      episode({
        allowed: [
          option(
            'therapy.started',
            'methylprednisolone',
            'allowed',
            'first line',
          ),
        ],
      }),
      'methylprednisolone',
      {
        doseMg: 1000,
        per: 'infusion',
        uncappedDoseMg: 1500,
        caps: [
          {
            mg: 1000,
            per: 'infusion',
            source: 'protocol',
            description: 'at most 1 g per infusion',
            applied: true,
            evidence: [],
          },
        ],
      } as never,
      'https://mas.example',
      uuid,
    );
    expect(card.indicator).toBe('info');
    expect(card.detail).toContain(
      '1000 mg per infusion (capped: at most 1 g per infusion; 1500 mg before the cap)',
    );
    expect(card.overrideReasons).toBeUndefined();
    expect(card.detail).not.toContain('Measures:');
    // The weight the dose is computed from, older than allowed: said.
    const stale = orderSignCard(
      episode({
        allowed: [
          option('therapy.started', 'methylprednisolone', 'allowed', 'ok'),
        ],
      }),
      'methylprednisolone',
      { doseMg: 720, per: 'infusion', uncappedDoseMg: 720, caps: [] } as never,
      'https://mas.example',
      uuid,
      "the weight it is computed from (24 kg) was entered at admission (2026-03-01T08:00:00.000Z), 8 days before this dose: more than the institution's 7 days",
    );
    expect(stale.detail).toMatch(
      /720 mg per infusion\. Measures: the weight it is computed from \(24 kg\) was entered at admission .*7 days\.$/,
    );
  });

  it('makes an overdue reassessment critical and each alert a card of its severity', () => {
    const cards = patientViewCards(
      episode({
        overdue: true,
        alerts: [
          {
            id: 'escalation-indicated',
            severity: 'warning',
            message: 'consider escalation',
            evidence: ['seed.second-line.1'],
          },
        ],
      }),
      'https://mas.example',
      uuid,
    );
    expect(cards.map((c) => c.indicator)).toEqual(['critical', 'warning']);
    expect(cards[0]?.summary).toMatch(/overdue/);
    expect(cards[1]?.detail).toBe(
      'consider escalation Evidence: seed.second-line.1.',
    );
  });
});
