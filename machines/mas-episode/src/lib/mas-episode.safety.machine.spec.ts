/**
 * Safety rules found in review: each test is a sequence that once got
 * through, and must not again.
 */
import { describe, expect, it } from '@jest/globals';

import {
  amira,
  ben,
  febrileSjia,
  floridMas,
  improved,
  panelOf,
} from '@mas/testing';

import {
  drAdams,
  drBaker,
  drChen,
  Episode,
  episodeInput,
  ev,
  h,
  nurseDiaz,
  tick,
} from '../spec-support/episode.spec-support.js';
import { explainSnapshot } from './mas-episode.explain.js';

const florid = panelOf(floridMas, febrileSjia);
const refusal = (episode: Episode, event: Parameters<Episode['send']>[0]) =>
  episode.refusal(event);

/** On methylprednisolone with a worsening verdict: refractory therapy is open. */
function worseningOnSteroids() {
  const episode = new Episode(episodeInput(ben, 'suspected'));
  return episode
    .send(ev('labs.recorded', h(0.5), { panel: florid }))
    .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
    .send(
      ev('severity.assessed', h(2), { severe: true, rapidlyWorsening: true }),
    );
}

describe('glucocorticoids are never gated', () => {
  it('a pulse is possible on top of a background glucocorticoid, and a repeat pulse too [seed.initial.1]', () => {
    const episode = new Episode(episodeInput(amira, 'at-risk'));
    episode.send(
      ev('background-therapy.recorded', h(0), { drug: 'methylprednisolone' }),
    );
    episode.send(ev('suspicion.recorded', h(1), {}));
    const pulse = ev('therapy.started', h(2), {
      drug: 'methylprednisolone',
      dose: { value: 720, unit: 'mg' },
    });
    expect(episode.can(pulse)).toBe(true);
    episode.send(pulse);
    expect(
      episode.can(ev('therapy.started', h(26), { drug: 'methylprednisolone' })),
    ).toBe(true);
  });

  it('the delay alert names the suspicion and the limit passed, words that stay put while it stands (its work item is not reworded at every event) [seed.initial.3]', () => {
    const episode = new Episode(episodeInput(amira, 'at-risk'));
    episode.send(ev('suspicion.recorded', h(1), {}));
    episode.send(tick(h(8)));
    const words = () =>
      episode.context.alerts.find((a) => a.id === 'glucocorticoid-delayed')
        ?.message;
    expect(words()).toBe(
      `No glucocorticoid since suspicion at ${h(1)}: the institution's limit passed at ${h(7)}.`,
    );
    const later = ev('severity.assessed', h(10), {
      severe: true,
      rapidlyWorsening: false,
    });
    expect(episode.refusal(later)).toBeUndefined();
    episode.send(later);
    expect(episode.context.now).toBe(h(10));
    expect(words()).toBe(
      `No glucocorticoid since suspicion at ${h(1)}: the institution's limit passed at ${h(7)}.`,
    );
  });

  it('every course stopped while MAS is suspected and not in remission: the ward is told no treatment runs, naming the last stopped; not in remission, nor once MAS is excluded [seed.initial.1, seed.monitoring.1]', () => {
    const stopped = () =>
      new Episode(episodeInput(amira, 'suspected'))
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(ev('therapy.stopped', h(4), { drug: 'methylprednisolone' }));
    const episode = stopped();
    expect(
      episode.context.alerts.find((a) => a.id === 'no-treatment-running'),
    ).toMatchObject({
      severity: 'warning',
      message: `No MAS treatment running: methylprednisolone, the last, stopped ${h(4)}. If MAS is still active, restart treatment; if it is in remission, or MAS is excluded, record that.`,
    });
    const remission = stopped().send(
      ev('remission.recorded', h(12), {}, drAdams, 'clinically quiet'),
    );
    expect(remission.alertIds()).not.toContain('no-treatment-running');
    const excluded = stopped().send(
      ev('diagnosis.excluded', h(12), {}, drAdams, 'another diagnosis'),
    );
    expect(excluded.alertIds()).not.toContain('no-treatment-running');
    // Never started: the delay alert's, not this one.
    const never = new Episode(episodeInput(amira, 'suspected')).send(
      tick(h(8)),
    );
    expect(never.alertIds()).not.toContain('no-treatment-running');
  });

  it('a background glucocorticoid does not stop the delay clock of the high-dose first line [seed.initial.3]', () => {
    const episode = new Episode(episodeInput(amira, 'at-risk'));
    episode.send(
      ev('background-therapy.recorded', h(0), { drug: 'methylprednisolone' }),
    );
    episode.send(ev('suspicion.recorded', h(1), {}));
    episode.send(tick(h(8)));
    expect(episode.alertIds()).toContain('glucocorticoid-delayed');
    episode.send(ev('therapy.started', h(9), { drug: 'methylprednisolone' }));
    expect(episode.alertIds()).not.toContain('glucocorticoid-delayed');
    expect(episode.context.firedDues).toContainEqual({
      id: 'glucocorticoidStart',
      dueAt: h(7),
      firedAt: h(8),
      latenessMinutes: 60,
      resolvedAt: h(9),
      resolvedLatenessMinutes: 120,
    });
  });
});

describe('four eyes cannot be bypassed', () => {
  it("a request id cannot be reused to approve one's own request", () => {
    const episode = worseningOnSteroids();
    episode.send(
      ev(
        'escalation.requested',
        h(3),
        {
          requestId: 'r1',
          drug: 'ruxolitinib',
          evidence: ['seed.refractory.2'],
        },
        drBaker,
        'worsening',
      ),
    );
    const reuse = ev(
      'escalation.requested',
      h(3.1),
      { requestId: 'r1', drug: 'etoposide', evidence: ['seed.refractory.3'] },
      drChen,
      'worsening',
    );
    expect(refusal(episode, reuse)).toMatch(/request id r1 is already used/);
  });

  it('the requester must be a senior clinician', () => {
    const episode = worseningOnSteroids();
    const request = ev(
      'escalation.requested',
      h(3),
      { requestId: 'r1', drug: 'etoposide', evidence: ['seed.refractory.3'] },
      drAdams,
      'worsening',
    );
    expect(refusal(episode, request)).toMatch(
      /escalation.requested is recorded by a senior clinician, not by the clinician role/,
    );
  });

  it('an emergency start cannot override a rejection', () => {
    const episode = worseningOnSteroids();
    episode.send(
      ev(
        'escalation.requested',
        h(3),
        { requestId: 'r1', drug: 'etoposide', evidence: ['seed.refractory.3'] },
        drBaker,
        'worsening',
      ),
    );
    episode.send(
      ev(
        'escalation.rejected',
        h(4),
        { requestId: 'r1' },
        drChen,
        'infection not excluded',
      ),
    );
    const emergency = ev(
      'therapy.started',
      h(5),
      { drug: 'etoposide', emergency: true },
      drBaker,
      'cannot wait',
    );
    expect(refusal(episode, emergency)).toMatch(
      /etoposide was rejected by dr-chen: an emergency start cannot override a rejection/,
    );
  });

  it('neither a new request nor a reassessment finding worsening lifts a rejection for an emergency start; a second senior approving a new request does [review.section-10]', () => {
    const episode = worseningOnSteroids();
    episode
      .send(
        ev(
          'escalation.requested',
          h(3),
          {
            requestId: 'r1',
            drug: 'etoposide',
            evidence: ['seed.refractory.3'],
          },
          drBaker,
          'worsening',
        ),
      )
      .send(
        ev(
          'escalation.rejected',
          h(4),
          { requestId: 'r1' },
          drChen,
          'infection not excluded',
        ),
      )
      // The rejected requester asks again: the new request is pending.
      .send(
        ev(
          'escalation.requested',
          h(5),
          {
            requestId: 'r2',
            drug: 'etoposide',
            evidence: ['seed.refractory.3'],
          },
          drBaker,
          'still worsening',
        ),
      );
    const emergency = (at: number) =>
      ev(
        'therapy.started',
        h(at),
        { drug: 'etoposide', emergency: true },
        drBaker,
        'cannot wait',
      );
    expect(refusal(episode, emergency(6))).toMatch(
      /etoposide was rejected by dr-chen: an emergency start cannot override a rejection/,
    );
    episode.send(
      ev('reassessment.recorded', h(7), {
        panel: florid,
        clinicalStatus: 'worsening',
      }),
    );
    expect(episode.context.lastResponse?.verdict).toBe('worsening');
    expect(refusal(episode, emergency(8))).toMatch(
      /an emergency start cannot override a rejection; a new request approved by a second senior clinician can/,
    );
    episode.send(
      ev('escalation.approved', h(8), { requestId: 'r2' }, drChen, 'agree'),
    );
    const start = ev('therapy.started', h(9), { drug: 'etoposide' }, drBaker);
    expect(refusal(episode, start)).toBeUndefined();
  });

  it('a nurse cannot start refractory therapy', () => {
    const episode = worseningOnSteroids();
    const start = ev(
      'therapy.started',
      h(3),
      { drug: 'etoposide', emergency: true },
      nurseDiaz,
      'x',
    );
    expect(refusal(episode, start)).toMatch(
      /therapy.started is recorded by a clinician or senior clinician, not by the nurse role/,
    );
  });

  it('each emergency start has its own countersignature', () => {
    const episode = worseningOnSteroids();
    episode.send(
      ev(
        'therapy.started',
        h(3),
        { drug: 'etoposide', emergency: true },
        drBaker,
        'collapse',
      ),
    );
    episode.send(ev('therapy.stopped', h(4), { drug: 'etoposide' }));
    episode.send(
      ev(
        'therapy.started',
        h(20),
        { drug: 'etoposide', emergency: true },
        drBaker,
        'again',
      ),
    );
    episode.send(ev('reassessment.recorded', h(13), { panel: florid }));
    episode.send(ev('reassessment.recorded', h(25), { panel: florid }));
    episode.send(tick(h(28)));
    expect(episode.alertIds()).toContain('countersignature-overdue');
    episode.send(
      ev('escalation.countersigned', h(28.5), { drug: 'etoposide' }, drChen),
    );
    expect(
      episode.context.emergencyStarts.map((s) => s.countersignedBy?.id ?? null),
    ).toEqual(['dr-chen', null]);
    expect(episode.alertIds()).not.toContain('countersignature-overdue');
  });

  it('the explanation for the requester shows their own approval blocked', () => {
    const episode = worseningOnSteroids();
    episode.send(
      ev(
        'escalation.requested',
        h(3),
        { requestId: 'r1', drug: 'etoposide', evidence: ['seed.refractory.3'] },
        drBaker,
        'worsening',
      ),
    );
    const forBaker = explainSnapshot(episode.snapshot, { actor: drBaker });
    expect(
      forBaker.blocked.find((o) => o.type === 'escalation.approved')?.reason,
    ).toMatch(/dr-baker made this request/);
    const forChen = explainSnapshot(episode.snapshot, { actor: drChen });
    expect(
      forChen.allowed.find((o) => o.type === 'escalation.approved')?.status,
    ).toBe('allowed-with-rationale');
  });
});

describe('refractory therapy means failed first line', () => {
  it('before any glucocorticoid it needs a rationale, and the alert follows [seed.refractory.3]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'));
    episode.send(
      ev('severity.assessed', h(0.5), { severe: true, rapidlyWorsening: true }),
    );
    const emergency = ev(
      'therapy.started',
      h(1),
      { drug: 'etoposide', emergency: true },
      drBaker,
    );
    expect(refusal(episode, emergency)).toMatch(
      /rationale is required: etoposide before any glucocorticoid/,
    );
  });

  it('the gate follows the latest verdict: a responding reassessment closes it [seed.refractory.1, seed.second-line.1]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(ev('reassessment.recorded', h(49), { panel: florid }));
    expect(episode.context.lastResponse?.verdict).toBe('inadequate');
    episode.send(
      ev('reassessment.recorded', h(61), {
        panel: panelOf(improved(floridMas), febrileSjia),
      }),
    );
    expect(episode.context.lastResponse?.verdict).toBe('responding');
    const request = ev(
      'escalation.requested',
      h(62),
      { requestId: 'r', drug: 'emapalumab', evidence: ['seed.refractory.1'] },
      drBaker,
      'x',
    );
    expect(refusal(episode, request)).toMatch(
      /needs a recorded inadequate response or rapid worsening/,
    );
  });
});

describe('background therapy', () => {
  it('recorded after suspicion it needs a rationale; a dose increase is recorded', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    const background = ev('background-therapy.recorded', h(1), {
      drug: 'ciclosporin',
    });
    expect(refusal(episode, background)).toMatch(
      /rationale is required: background therapy recorded after suspicion/,
    );
    episode.send({
      ...background,
      rationale: 'on ciclosporin for sJIA for a year',
    });
    episode.send(
      ev(
        'background-therapy.recorded',
        h(2),
        { drug: 'ciclosporin', doseIncreased: true },
        drAdams,
        'trough low',
      ),
    );
    expect(episode.context.therapies[0]).toMatchObject({
      background: true,
      doseIncreases: [h(2)],
    });
  });
});

describe('response and due times', () => {
  it('a reassessment is compared with the pre-treatment panel or the last reassessment, not an intervening lab [seed.monitoring.3]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    const better = panelOf(improved(floridMas), febrileSjia);
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(ev('labs.recorded', h(10.5), { panel: better }))
      .send(ev('reassessment.recorded', h(11), { panel: better }));
    expect(episode.context.lastResponse?.verdict).toBe('responding');
  });

  it('a partial reassessment panel is judged on the lab picture: earlier samples within the window fill in what it lacks [seed.monitoring.3]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(
        ev('reassessment.recorded', h(11), {
          panel: panelOf(improved(floridMas), febrileSjia),
        }),
      )
      .send(
        ev('reassessment.recorded', h(20), {
          panel: { ferritin: { value: 3000, unit: 'ng/mL' } },
        }),
      );
    expect(episode.context.lastResponse?.verdict).toBe('responding');
    // The counts came from the sample of h(11), the ferritin from h(20).
    expect(episode.context.lastScreen?.sampledAt).toMatchObject({
      ferritin: h(20),
      platelets: h(11),
    });
  });

  it('a reassessment whose picture lacks what the rule needs leaves the judgement to the clinician, never a stale verdict [seed.monitoring.3]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(
        ev('reassessment.recorded', h(11), {
          panel: panelOf(improved(floridMas), febrileSjia),
        }),
      )
      .send(
        // 50 h later: the counts of h(11) are older than the window.
        ev('reassessment.recorded', h(61), {
          panel: { ferritin: { value: 3000, unit: 'ng/mL' } },
        }),
      );
    expect(episode.context.lastResponse?.verdict).toBe('clinician-judgement');
    expect(episode.can(ev('remission.recorded', h(62), {}))).toBe(false);
  });

  it('a hold does not erase an overdue reassessment [seed.monitoring.1]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(tick(h(13)));
    expect(episode.alertIds()).toContain('reassessment-overdue');
    episode.send(ev('hold.started', h(13.1), { reason: 'transfer' }));
    episode.send(ev('hold.ended', h(13.2), {}));
    expect(episode.alertIds()).toContain('reassessment-overdue');
    episode.send(ev('reassessment.recorded', h(14), { panel: florid }));
    expect(episode.alertIds()).not.toContain('reassessment-overdue');
    expect(episode.context.firedDues[0]).toMatchObject({
      id: 'reassessment',
      resolvedAt: h(14),
      resolvedLatenessMinutes: 120,
    });
  });

  it('in remission the 12-hourly reassessment stops; a relapse restarts it and clears old severity [seed.monitoring.1]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(
        ev('severity.assessed', h(0.6), {
          severe: true,
          rapidlyWorsening: true,
        }),
      )
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(
        ev('reassessment.recorded', h(11), {
          panel: panelOf(improved(floridMas), febrileSjia),
        }),
      )
      .send(ev('remission.recorded', h(12), {}))
      .send(tick(h(240)));
    expect(episode.hasTag('overdue')).toBe(false);
    episode.send(ev('relapse.recorded', h(241), {}));
    expect(episode.context).toMatchObject({
      severe: false,
      rapidlyWorsening: false,
      lastResponse: null,
    });
    expect(episode.context.dues['reassessment']?.dueAt).toBe(h(253));
  });
});

describe('other fixes', () => {
  it('rituximab alone moves the episode into active treatment [seed.refractory.4]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(
        ev('trigger.identified', h(1), { trigger: 'ebv', ebvCellType: 'B' }),
      )
      .send(
        ev('screening.recorded', h(1), {
          kind: 'hbv-serology',
          result: 'done',
        }),
      )
      .send(ev('therapy.started', h(2), { drug: 'rituximab' }));
    expect(episode.snapshot.value).toMatchObject({
      open: { treatment: { active: 'firstLine' } },
    });
  });

  it('"MAS not considered" stays until suspicion is recorded, whatever the next panel shows [seed.pitfalls.3]', () => {
    const episode = new Episode(episodeInput(amira, 'at-risk'));
    episode.send(ev('labs.recorded', h(1), { panel: florid }));
    episode.send(
      ev('labs.recorded', h(2), {
        panel: panelOf(improved(improved(floridMas)), febrileSjia),
      }),
    );
    expect(episode.alertIds()).toContain('mas-not-considered');
  });

  it('criteria met at presentation still allow confirmation on criteria after treatment', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(
        ev('labs.recorded', h(30), {
          panel: panelOf(improved(improved(floridMas)), febrileSjia),
        }),
      );
    expect(
      episode.can(ev('diagnosis.confirmed', h(31), { basis: 'criteria' })),
    ).toBe(true);
  });

  it('a stage reason comes first: confirming while at risk is not possible at all', () => {
    const episode = new Episode(episodeInput(amira, 'at-risk'));
    expect(
      refusal(episode, ev('diagnosis.confirmed', h(1), { basis: 'criteria' })),
    ).toMatch(/only while MAS is suspected or under work-up/);
  });

  it('therapy records keep route and dose for the audit', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(
      ev('therapy.started', h(1), {
        drug: 'methylprednisolone',
        route: 'iv',
        dose: { value: 720, unit: 'mg' },
      }),
    );
    expect(episode.context.therapies[0]).toMatchObject({
      route: 'iv',
      dose: { value: 720, unit: 'mg' },
    });
  });
});

describe('a stop cannot precede its start', () => {
  it('a therapy stop dated before the therapy was given is refused, naming stoppedAt; at or after it, taken [software.recording]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(3), { drug: 'methylprednisolone' }));
    expect(
      refusal(
        episode,
        ev('therapy.stopped', h(4), {
          drug: 'methylprednisolone',
          stoppedAt: h(2),
        }),
      ),
    ).toBe(
      `stoppedAt ${h(2)} is before the start it stops (${h(3)}): a therapy cannot stop before it started`,
    );
    episode.send(
      ev('therapy.stopped', h(4), {
        drug: 'methylprednisolone',
        stoppedAt: h(3),
      }),
    );
    expect(episode.context.therapies[0]?.stoppedAt).toBe(h(3));
  });

  it('the same for a therapy outside the protocol table', () => {
    const episode = new Episode(episodeInput(ben, 'suspected')).send(
      ev('other-therapy.started', h(3), {
        recordId: 'ivig-1',
        medication: {
          system: 'http://www.whocc.no/atc',
          code: 'J06BA02',
          display: 'immunoglobulin, normal human (IVIG)',
        },
        dose: { value: 50, unit: 'g' },
        route: 'iv',
        schedule: { kind: 'once' },
        givenAt: h(3),
      }),
    );
    expect(
      refusal(
        episode,
        ev('other-therapy.stopped', h(4), {
          recordId: 'ivig-1',
          stoppedAt: h(1),
        }),
      ),
    ).toMatch(/^stoppedAt .* is before the start it stops/);
  });
});

describe('a stop time', () => {
  it('a background therapy stopped before it was entered (the patient was on it for months) is taken [software.recording]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(
        ev(
          'background-therapy.recorded',
          h(5),
          { drug: 'anakinra' },
          drAdams,
          'on it for months before admission',
        ),
      );
    expect(
      refusal(
        episode,
        ev('therapy.stopped', h(6), { drug: 'anakinra', stoppedAt: h(4) }),
      ),
    ).toBeUndefined();
  });
});
