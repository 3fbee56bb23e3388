import { describe, expect, it } from '@jest/globals';

import {
  activeSjiaFlare,
  eun,
  febrileSjia,
  floridMas,
  hana,
  panelOf,
} from '@mas/testing';

import {
  Episode,
  episodeInput,
  ev,
  h,
  scheduler,
  tick,
} from '../../spec-support/episode.spec-support.js';

describe('Hana, 14, sJIA followed at risk: late presentation', () => {
  it('screens every panel; a suggestive one raises "MAS not considered" until suspicion; then the glucocorticoid delay alerts [seed.initial.3, seed.pitfalls.1, seed.pitfalls.3]', () => {
    const episode = new Episode(episodeInput(hana, 'at-risk'));
    episode.send(
      ev(
        'labs.recorded',
        h(0),
        {
          panel: panelOf(activeSjiaFlare, {
            ...febrileSjia,
            activeArthritis: true,
          }),
        },
        scheduler,
      ),
    );
    expect(episode.context.lastScreen?.suggestive).toBe(false);
    expect(episode.alertIds()).toEqual([]);
    expect(episode.context.dues['reassessment']?.dueAt).toBeNull();

    episode.send(
      ev(
        'labs.recorded',
        h(72),
        { panel: panelOf(floridMas, febrileSjia) },
        scheduler,
      ),
    );
    expect(episode.alertIds()).toEqual(['mas-not-considered']);
    expect(episode.actions).toEqual([
      expect.objectContaining({
        type: 'notifyClinician',
        params: {
          alerts: [
            expect.objectContaining({
              id: 'mas-not-considered',
              severity: 'critical',
            }),
          ],
        },
      }),
    ]);

    episode.send(ev('suspicion.recorded', h(80), {}));
    expect(episode.alertIds()).not.toContain('mas-not-considered');
    expect(episode.context.dues['glucocorticoidStart']?.dueAt).toBe(h(86));

    episode.send(tick(h(86)));
    expect(episode.alertIds()).not.toContain('glucocorticoid-delayed');
    episode.send(tick(h(87)));
    expect(episode.alertIds()).toContain('glucocorticoid-delayed');
    expect(episode.context.firedDues).toContainEqual({
      id: 'glucocorticoidStart',
      dueAt: h(86),
      firedAt: h(87),
      latenessMinutes: 60,
    });

    episode.send(ev('therapy.started', h(88), { drug: 'methylprednisolone' }));
    expect(episode.alertIds()).not.toContain('glucocorticoid-delayed');
  });

  it("the 2016 criteria read the sJIA recorded at admission: a florid febrile panel that does not repeat it classifies MAS, and an SLE patient's does not [seed.pitfalls.3]", () => {
    const episode = new Episode(episodeInput(hana, 'at-risk'));
    episode.send(
      ev(
        'labs.recorded',
        h(0),
        { panel: panelOf(floridMas, { febrile: true }) },
        scheduler,
      ),
    );
    expect(episode.context.lastScreen?.mas2016Applicable).toBe(true);
    expect(episode.context.lastScreen?.mas2016Classified).toBe(true);
    expect(episode.context.lastScreen?.criteriaMet).toBe(true);
    expect(episode.context.lastScreen?.undecided).not.toContain('mas2016');

    const sle = new Episode(episodeInput(eun, 'at-risk'));
    sle.send(
      ev(
        'labs.recorded',
        h(0),
        { panel: panelOf(floridMas, { febrile: true }) },
        scheduler,
      ),
    );
    expect(sle.context.lastScreen?.mas2016Classified).toBe(false);
    expect(sle.context.lastScreen?.undecided).toContain('mas2016');
  });
});
