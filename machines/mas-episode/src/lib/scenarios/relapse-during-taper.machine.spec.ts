import { describe, expect, it } from '@jest/globals';

import { febrileSjia, floridMas, improved, ivan, panelOf } from '@mas/testing';

import {
  Episode,
  episodeInput,
  ev,
  h,
} from '../../spec-support/episode.spec-support.js';

describe('Ivan, 8, sJIA: relapse during the taper', () => {
  it('relapse returns to the last line of active treatment and restarts the timers [seed.monitoring.1]', () => {
    const episode = new Episode(episodeInput(ivan, 'suspected'));
    episode
      .send(
        ev('labs.recorded', h(0.5), { panel: panelOf(floridMas, febrileSjia) }),
      )
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(
        ev(
          'therapy.started',
          h(2),
          { drug: 'anakinra' },
          undefined,
          'early anakinra per triple-regimen practice',
        ),
      )
      .send(
        ev('reassessment.recorded', h(12), {
          panel: panelOf(improved(floridMas), febrileSjia),
        }),
      )
      .send(ev('remission.recorded', h(20), {}))
      .send(ev('taper.started', h(21), {}));
    expect(episode.hasTag('taper')).toBe(true);
    expect(episode.context.dues['labs']?.dueAt).toBeNull();

    episode.send(ev('relapse.recorded', h(100), {}));
    expect(episode.snapshot.value).toMatchObject({
      open: { treatment: { active: 'escalated' } },
    });
    expect(episode.context.relapses).toBe(1);
    expect(episode.context.dues['reassessment']).toEqual({
      dueAt: h(112),
      pausedAt: null,
      firedAt: null,
    });
    expect(episode.context.dues['labs']).toEqual({
      dueAt: h(124),
      pausedAt: null,
      firedAt: null,
    });
    expect(episode.context.inRemission).toBe(false);
  });

  it('relapse is possible only from remission or taper', () => {
    const episode = new Episode(episodeInput(ivan, 'suspected'));
    episode.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    expect(episode.can(ev('relapse.recorded', h(2), {}))).toBe(false);
  });
});
