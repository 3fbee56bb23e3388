import { describe, expect, it } from '@jest/globals';

import { stateLabels } from '@mas/protocol';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  drAdams,
  drBaker,
  Episode,
  episodeInput,
  ev,
  h,
} from '../spec-support/episode.spec-support.js';
import type { explainRefusal } from './mas-episode.explain.js';
import { explainSnapshot } from './mas-episode.explain.js';
import { masEpisodeMachine } from './mas-episode.machine.js';

function suspected() {
  return new Episode(episodeInput(amira, 'suspected'));
}

describe('explaining a snapshot', () => {
  it('lists allowed events with their payload JSON Schema, and blocked ones with the reason and evidence', () => {
    const explanation = explainSnapshot(suspected().snapshot);
    expect(explanation.stage).toBe('MAS suspected · no immunosuppression yet');
    const mp = explanation.allowed.find(
      (o) => o.type === 'therapy.started' && o.variant === 'methylprednisolone',
    );
    expect(mp).toMatchObject({
      status: 'allowed',
      evidence: expect.arrayContaining(['seed.initial.1', 'review.section-10']),
    });
    expect(mp?.payloadSchema).toMatchObject({
      type: 'object',
      properties: { drug: expect.anything() },
    });

    const anakinra = explanation.allowed.find(
      (o) => o.variant === 'anakinra' && o.type === 'therapy.started',
    );
    expect(anakinra?.status).toBe('allowed-with-rationale');

    const emapalumab = explanation.blocked.find(
      (o) => o.variant === 'emapalumab' && o.type === 'therapy.started',
    );
    expect(emapalumab?.reason).toMatch(
      /needs a recorded inadequate response or rapid worsening/,
    );
    expect(emapalumab?.evidence).toContain('seed.refractory.1');

    const relapse = explanation.blocked.find(
      (o) => o.type === 'relapse.recorded',
    );
    expect(relapse?.reason).toMatch(
      /only in remission or during the taper \(now: MAS suspected/,
    );
    expect(explanation.protocol.version).toBe('1.0.0');
  });

  it('glucocorticoids, antimicrobials, transfusion and organ support are allowed in every open stage [seed.initial.1, seed.supportive.1, seed.supportive.2, seed.subtype.3]', () => {
    const stages = [
      new Episode(episodeInput(amira, 'at-risk')),
      suspected(),
      suspected().send(ev('workup.started', h(1), {})),
      suspected()
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(ev('hold.started', h(2), { reason: 'transfer' })),
    ];
    for (const episode of stages) {
      const allowed = explainSnapshot(episode.snapshot).allowed.map(
        (o) => `${o.type}:${o.variant ?? ''}`,
      );
      expect(allowed).toEqual(
        expect.arrayContaining([
          'therapy.started:dexamethasone',
          'antimicrobials.started:',
          'support.started:transfusion',
          'support.started:ventilation',
          'support.started:vasopressors',
          'support.started:renal-replacement',
        ]),
      );
    }
  });

  it('after an outcome, every event is blocked', () => {
    const episode = suspected().send(ev('death.recorded', h(3), {}));
    const explanation = explainSnapshot(episode.snapshot);
    expect(explanation.final).toBe(true);
    expect(explanation.allowed).toEqual([]);
    expect(explanation.blocked[0]?.reason).toMatch(
      /the episode has ended \(closed: the patient died\)/,
    );
  });

  const florid = panelOf(floridMas, febrileSjia);
  const blockedCases: [
    string,
    (e: Episode) => Episode,
    Parameters<typeof explainRefusal>[1],
    RegExp,
  ][] = [
    [
      'confirmation on criteria without met criteria',
      (e) => e,
      ev('diagnosis.confirmed', h(1), { basis: 'criteria' }),
      /no panel of this episode meets classification criteria/,
    ],
    [
      'clinical confirmation without a rationale',
      (e) => e,
      ev('diagnosis.confirmed', h(1), { basis: 'clinical' }),
      /rationale is required: a clinical diagnosis without met criteria/,
    ],
    [
      'exclusion without a rationale',
      (e) => e,
      ev('diagnosis.excluded', h(1), {}),
      /rationale is required: excluding MAS closes the episode/,
    ],
    [
      'a drug already active',
      (e) =>
        e
          .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
          .send(
            ev('severity.assessed', h(1), {
              severe: true,
              rapidlyWorsening: false,
            }),
          )
          .send(ev('therapy.started', h(1), { drug: 'anakinra' })),
      ev('therapy.started', h(2), { drug: 'anakinra' }),
      /anakinra is already active/,
    ],
    [
      'stopping a drug not active',
      (e) => e,
      ev('therapy.stopped', h(1), { drug: 'anakinra' }),
      /anakinra is not active/,
    ],
    [
      'a background dose increase never recorded',
      (e) => e,
      ev('background-therapy.recorded', h(1), {
        drug: 'anakinra',
        doseIncreased: true,
      }),
      /record it before a dose increase/,
    ],
    [
      'a request citing unknown evidence',
      (e) =>
        e.send(
          ev('severity.assessed', h(1), {
            severe: true,
            rapidlyWorsening: true,
          }),
        ),
      ev(
        'escalation.requested',
        h(2),
        { requestId: 'r', drug: 'etoposide', evidence: ['seed.nope'] },
        drBaker,
        'x',
      ),
      /unknown evidence entries: seed.nope/,
    ],
    [
      'a second open request for the same drug',
      (e) =>
        e
          .send(
            ev('severity.assessed', h(1), {
              severe: true,
              rapidlyWorsening: true,
            }),
          )
          .send(
            ev(
              'escalation.requested',
              h(2),
              {
                requestId: 'r1',
                drug: 'etoposide',
                evidence: ['seed.refractory.3'],
              },
              drBaker,
              'x',
            ),
          ),
      ev(
        'escalation.requested',
        h(3),
        { requestId: 'r2', drug: 'etoposide', evidence: ['seed.refractory.3'] },
        drBaker,
        'x',
      ),
      /a request for etoposide is already open/,
    ],
    [
      'approving a request that does not exist',
      (e) => e,
      ev('escalation.approved', h(1), { requestId: 'nope' }, drBaker),
      /no escalation request nope/,
    ],
    [
      'countersigning with no emergency start',
      (e) => e,
      ev('escalation.countersigned', h(1), { drug: 'emapalumab' }, drBaker),
      /no emergency start of emapalumab awaits countersignature/,
    ],
    [
      'stopping antimicrobials never started',
      (e) => e,
      ev('antimicrobials.stopped', h(1), {}),
      /no antimicrobials are active/,
    ],
    [
      'starting support already active',
      (e) => e.send(ev('support.started', h(1), { kind: 'transfusion' })),
      ev('support.started', h(2), { kind: 'transfusion' }),
      /transfusion is already active/,
    ],
    [
      'stopping support not active',
      (e) => e,
      ev('support.stopped', h(1), { kind: 'ventilation' }),
      /ventilation is not active/,
    ],
    [
      'a panel with a wrong unit',
      (e) => e,
      ev('labs.recorded', h(1), {
        panel: { ferritin: { value: 5, unit: 'mg' } },
      }),
      /panel\.ferritin\.unit: "mg" is not an accepted unit/,
    ],
    [
      'a hold while on hold',
      (e) => e.send(ev('hold.started', h(1), { reason: 'transfer' })),
      ev('hold.started', h(2), { reason: 'transfer' }),
      /the episode is already on hold/,
    ],
    [
      'ending a hold that never started',
      (e) => e,
      ev('hold.ended', h(1), {}),
      /the episode is not on hold/,
    ],
    [
      'a taper outside remission',
      (e) => e,
      ev('taper.started', h(1), {}),
      /only in remission/,
    ],
    [
      'closing during active treatment',
      (e) =>
        e.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' })),
      ev('episode.closed', h(2), {}),
      /only in remission or during the taper/,
    ],
    [
      'suspicion recorded twice',
      (e) => e,
      ev('suspicion.recorded', h(1), {}),
      /suspicion is already recorded/,
    ],
    [
      'a work-up after confirmation',
      (e) =>
        e
          .send(ev('labs.recorded', h(1), { panel: florid }))
          .send(ev('diagnosis.confirmed', h(2), { basis: 'criteria' })),
      ev('workup.started', h(3), {}),
      /only once MAS is suspected, before the work-up or the diagnosis/,
    ],
    [
      'remission before any treatment',
      (e) => e,
      ev('remission.recorded', h(1), {}, drAdams, 'x'),
      /only during active treatment/,
    ],
  ];

  it.each(blockedCases)('blocked: %s', (_name, prepare, event, reason) => {
    const episode = prepare(suspected());
    expect(episode.can(event)).toBe(false);
    expect(episode.refusal(event)).toMatch(reason);
  });
});

describe('clinical words for the whole machine', () => {
  it('has a label in protocol data for every state of the statechart', () => {
    const ids: string[] = [];
    const walk = (node: {
      readonly id: string;
      readonly states?: Readonly<Record<string, unknown>>;
    }) => {
      ids.push(node.id);
      for (const child of Object.values(node.states ?? {})) {
        walk(child as Parameters<typeof walk>[0]);
      }
    };
    walk(masEpisodeMachine.root);
    expect(ids.length).toBeGreaterThan(40);
    expect(ids.filter((id) => !(id in stateLabels))).toEqual([]);
  });

  it('offers every option in words, never by its id', () => {
    const explanation = explainSnapshot(suspected().snapshot);
    const options = [...explanation.allowed, ...explanation.blocked];
    expect(options.length).toBeGreaterThan(30);
    for (const option of options) {
      expect(option.label).not.toMatch(/[a-z]\.[a-z]/);
      expect(option.label).not.toContain('{subject}');
      expect(option.label.length).toBeGreaterThan(3);
    }
  });
});
