import { describe, expect, it } from '@jest/globals';

import {
  ben,
  febrileSjia,
  floridMas,
  panelOf,
  unchanged,
  worse,
} from '@mas/testing';

import {
  drAdams,
  drBaker,
  drChen,
  Episode,
  episodeInput,
  ev,
  h,
  tick,
} from '../../spec-support/episode.spec-support.js';

describe('Ben, 16, sJIA: refractory MAS needing emapalumab (four eyes)', () => {
  const florid = panelOf(floridMas, febrileSjia);

  function onSecondLine() {
    const episode = new Episode(episodeInput(ben, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(
        ev('therapy.started', h(1), {
          drug: 'methylprednisolone',
          dose: { value: 1000, unit: 'mg' },
        }),
      )
      .send(
        ev('reassessment.recorded', h(12), {
          panel: panelOf(unchanged(floridMas), febrileSjia),
        }),
      );
    // 11 h after the pulse: too early to judge (the institution judges
    // response from 48 h), never "inadequate".
    expect(episode.context.lastResponse?.verdict).toBe('too-early');
    episode.send(
      ev('reassessment.recorded', h(49), {
        panel: panelOf(unchanged(floridMas), febrileSjia),
      }),
    );
    expect(episode.context.lastResponse?.verdict).toBe('inadequate');
    expect(episode.alertIds()).toContain('escalation-indicated');
    expect(episode.actionTypes()).toEqual(['notifyClinician']);

    episode.send(
      ev('therapy.started', h(50), { drug: 'ciclosporin', route: 'iv' }),
    );
    expect(episode.snapshot.value).toMatchObject({
      open: { treatment: { active: 'escalated' } },
    });
    expect(episode.alertIds()).not.toContain('escalation-indicated');

    episode.send(
      ev('reassessment.recorded', h(61), {
        panel: panelOf(worse(unchanged(floridMas)), febrileSjia),
      }),
    );
    expect(episode.context.lastResponse?.verdict).toBe('worsening');
    return episode;
  }

  it('requests emapalumab, is refused without screening and approval, then starts after a second senior approves [seed.lead, seed.second-line.1, seed.second-line.2, seed.refractory.1]', () => {
    const episode = onSecondLine();
    const start = ev(
      'therapy.started',
      h(63),
      { drug: 'emapalumab', route: 'iv' },
      drBaker,
    );

    episode.send(
      ev(
        'escalation.requested',
        h(62),
        {
          requestId: 'req-1',
          drug: 'emapalumab',
          evidence: ['seed.refractory.1', 'lit.nct03311854'],
        },
        drBaker,
        'worsening on methylprednisolone and IV ciclosporin',
      ),
    );
    expect(episode.actions).toEqual([
      expect.objectContaining({
        type: 'requestSecondSenior',
        params: {
          requestId: 'req-1',
          drug: 'emapalumab',
          requestedBy: 'dr-baker',
        },
      }),
    ]);

    expect(episode.can(start)).toBe(false);
    expect(episode.refusal(start)).toMatch(
      /needs tuberculosis screening and herpes zoster prophylaxis and Pneumocystis prophylaxis and antifungal prophylaxis recorded/,
    );

    episode.send(
      ev('screening.recorded', h(62.5), {
        kind: 'tb-screening',
        result: 'done',
      }),
    );
    episode.send(
      ev(
        'screening.recorded',
        h(62.6),
        { kind: 'zoster-prophylaxis', result: 'overridden' },
        drBaker,
        'prophylaxis started at the referring hospital',
      ),
    );
    for (const kind of ['pjp-prophylaxis', 'fungal-prophylaxis'] as const) {
      episode.send(ev('screening.recorded', h(62.6), { kind, result: 'done' }));
    }
    expect(episode.refusal(start)).toMatch(
      /awaits approval by a second, different senior/,
    );

    const selfApproval = ev(
      'escalation.approved',
      h(62.7),
      { requestId: 'req-1' },
      drBaker,
    );
    expect(episode.can(selfApproval)).toBe(false);
    expect(episode.refusal(selfApproval)).toMatch(
      /dr-baker made this request and cannot also decide it/,
    );

    const juniorApproval = ev(
      'escalation.approved',
      h(62.7),
      { requestId: 'req-1' },
      drAdams,
    );
    expect(episode.refusal(juniorApproval)).toMatch(
      /escalation.approved is recorded by a senior clinician, not by the clinician role/,
    );

    const approval = ev(
      'escalation.approved',
      h(62.8),
      { requestId: 'req-1' },
      drChen,
    );
    // The approver reads the request as made: who, when and why.
    expect(episode.refusal(approval)).toBe(
      `a rationale is required: an approval states its reason (four eyes: one record with the request: emapalumab requested by dr-baker at ${h(62)}, because: worsening on methylprednisolone and IV ciclosporin)`,
    );
    episode.send({ ...approval, rationale: 'agree: worsening on two lines' });
    episode.send(start);
    expect(episode.snapshot.value).toMatchObject({
      open: { treatment: { active: 'refractory' } },
    });
    expect(episode.context.escalationRequests[0]).toMatchObject({
      status: 'started',
      requestedBy: drBaker,
      decidedBy: drChen,
    });
  });

  it('a rejected request cannot be started; rejection needs a rationale [seed.refractory.2]', () => {
    const episode = onSecondLine();
    episode.send(
      ev(
        'escalation.requested',
        h(62),
        {
          requestId: 'req-2',
          drug: 'ruxolitinib',
          evidence: ['seed.refractory.2'],
        },
        drBaker,
        'worsening',
      ),
    );
    expect(
      episode.can(
        ev('escalation.rejected', h(63), { requestId: 'req-2' }, drChen),
      ),
    ).toBe(false);
    episode.send(
      ev(
        'escalation.rejected',
        h(63),
        { requestId: 'req-2' },
        drChen,
        'try high-dose anakinra first',
      ),
    );
    const start = ev(
      'therapy.started',
      h(64),
      { drug: 'ruxolitinib' },
      drBaker,
    );
    expect(episode.refusal(start)).toMatch(
      /needs a request approved by a second, different senior/,
    );
  });

  it('the emergency path starts now and alerts when the countersignature lapses [seed.refractory.1]', () => {
    const episode = onSecondLine();
    episode.send(
      ev('screening.recorded', h(62), { kind: 'tb-screening', result: 'done' }),
    );
    for (const kind of [
      'zoster-prophylaxis',
      'pjp-prophylaxis',
      'fungal-prophylaxis',
    ] as const) {
      episode.send(ev('screening.recorded', h(62), { kind, result: 'done' }));
    }
    const emergency = ev(
      'therapy.started',
      h(63),
      { drug: 'emapalumab', emergency: true },
      drBaker,
    );
    expect(episode.can(emergency)).toBe(false);
    expect(episode.refusal(emergency)).toMatch(/rationale is required/);
    expect(
      episode.refusal({
        ...emergency,
        actor: drAdams,
        rationale: 'x',
      }),
    ).toMatch(/must be made by a senior clinician/);

    episode.send({
      ...emergency,
      rationale: 'deteriorating overnight, no second senior on site',
    });
    expect(episode.hasTag('refractory')).toBe(true);
    expect(episode.actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'requestCountersignature',
          params: { drug: 'emapalumab', startedBy: 'dr-baker', dueAt: h(87) },
        }),
      ]),
    );
    episode.send(ev('reassessment.recorded', h(73), { panel: florid }));
    episode.send(ev('reassessment.recorded', h(85), { panel: florid }));
    expect(episode.alertIds()).not.toContain('countersignature-overdue');
    episode.send(tick(h(88)));
    expect(episode.alertIds()).toContain('countersignature-overdue');
    expect(episode.context.firedDues).toContainEqual({
      id: 'countersignature:emapalumab-1',
      dueAt: h(87),
      firedAt: h(88),
      latenessMinutes: 60,
    });

    expect(
      episode.can(
        ev('escalation.countersigned', h(89), { drug: 'emapalumab' }, drBaker),
      ),
    ).toBe(false);
    episode.send(
      ev('escalation.countersigned', h(89), { drug: 'emapalumab' }, drChen),
    );
    expect(episode.alertIds()).not.toContain('countersignature-overdue');
  });

  it('refractory therapy is blocked without a recorded inadequate response or rapid worsening [seed.second-line.1, seed.refractory.3]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'));
    episode.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    const request = ev(
      'escalation.requested',
      h(2),
      { requestId: 'r', drug: 'etoposide', evidence: ['seed.refractory.3'] },
      drBaker,
      'x',
    );
    expect(episode.refusal(request)).toMatch(
      /needs a recorded inadequate response or rapid worsening/,
    );
    episode.send(
      ev('severity.assessed', h(3), { severe: true, rapidlyWorsening: true }),
    );
    expect(episode.can(request)).toBe(true);
  });
});
