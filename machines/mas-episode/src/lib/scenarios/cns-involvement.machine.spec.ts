import { describe, expect, it } from '@jest/globals';

import { chloe, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  Episode,
  episodeInput,
  ev,
  h,
} from '../../spec-support/episode.spec-support.js';

describe('Chloe, 10, sJIA: MAS with CNS involvement', () => {
  const withSeizures = panelOf(floridMas, {
    ...febrileSjia,
    cnsInvolvement: true,
  });

  it('alerts (never blocks) until dexamethasone starts; methylprednisolone stays possible [seed.initial.2]', () => {
    const episode = new Episode(episodeInput(chloe, 'suspected'));
    episode.send(ev('labs.recorded', h(0.5), { panel: withSeizures }));
    expect(episode.alertIds()).toEqual(
      expect.arrayContaining([
        'cns-without-dexamethasone',
        'severity-underestimated',
      ]),
    );
    expect(episode.actions[0]).toMatchObject({ type: 'notifyClinician' });

    episode.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    expect(episode.alertIds()).toContain('cns-without-dexamethasone');

    episode.send(
      ev('severity.assessed', h(1.5), {
        severe: true,
        rapidlyWorsening: false,
      }),
    );
    expect(episode.alertIds()).not.toContain('severity-underestimated');

    episode.send(ev('therapy.stopped', h(2), { drug: 'methylprednisolone' }));
    episode.send(
      ev('therapy.started', h(2), { drug: 'dexamethasone', route: 'iv' }),
    );
    expect(episode.alertIds()).not.toContain('cns-without-dexamethasone');
    expect(episode.context.alertLog).toContainEqual({
      id: 'cns-without-dexamethasone',
      raisedAt: h(0.5),
      clearedAt: h(2),
      severity: expect.any(String),
      message: expect.stringMatching(/dexamethasone/i),
    });
  });

  it('a recorded decision to keep methylprednisolone clears the alert; the decision needs a rationale [seed.initial.2]', () => {
    const episode = new Episode(episodeInput(chloe, 'suspected'));
    episode.send(ev('labs.recorded', h(0.5), { panel: withSeizures }));
    const decision = ev('decision.recorded', h(1), {
      topic: 'cns-dexamethasone',
      choice: 'methylprednisolone-continued',
    });
    expect(episode.can(decision)).toBe(false);
    episode.send({ ...decision, rationale: 'seizure was febrile, MRI normal' });
    expect(episode.alertIds()).not.toContain('cns-without-dexamethasone');
  });
});
