import { describe, expect, it } from '@jest/globals';

import { febrileSjia, floridMas, jade, panelOf } from '@mas/testing';

import {
  Episode,
  episodeInput,
  ev,
  h,
  tick,
} from '../../spec-support/episode.spec-support.js';

describe('Jade, 6, sJIA: transfer between units on hold', () => {
  const florid = panelOf(floridMas, febrileSjia);

  it('on immunosuppression the 12-h reassessment never pauses: overdue while on hold [seed.monitoring.1]', () => {
    const episode = new Episode(episodeInput(jade, 'suspected'));
    episode.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    episode.send(ev('reassessment.recorded', h(2), { panel: florid }));
    episode.send(ev('hold.started', h(3), { reason: 'transfer' }));
    expect(episode.hasTag('on-hold')).toBe(true);
    expect(episode.context.dues['reassessment']?.pausedAt).toBeNull();

    episode.send(tick(h(14.5)));
    expect(episode.hasTag('overdue')).toBe(true);
    expect(episode.alertIds()).toContain('reassessment-overdue');
    expect(episode.context.firedDues).toContainEqual({
      id: 'reassessment',
      dueAt: h(14),
      firedAt: h(14.5),
      latenessMinutes: 30,
    });

    episode.send(ev('reassessment.recorded', h(15), { panel: florid }));
    expect(episode.hasTag('overdue')).toBe(false);
    expect(episode.hasTag('on-hold')).toBe(true);
  });

  it('"keep": the labs due time pauses on hold and keeps its original time; it fires on resumption with its lateness [seed.monitoring.2]', () => {
    const episode = new Episode(episodeInput(jade, 'suspected'));
    episode.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    expect(episode.context.dues['labs']?.dueAt).toBe(h(25));
    episode.send(ev('hold.started', h(20), { reason: 'awaiting-data' }));
    expect(episode.context.dues['labs']?.pausedAt).toBe(h(20));
    episode.send(tick(h(26)));
    expect(episode.alertIds()).not.toContain('labs-overdue');
    episode.send(ev('hold.ended', h(30), {}));
    expect(episode.context.dues['labs']).toEqual({
      dueAt: h(25),
      pausedAt: null,
      firedAt: h(30),
    });
    expect(episode.context.firedDues).toContainEqual({
      id: 'labs',
      dueAt: h(25),
      firedAt: h(30),
      latenessMinutes: 300,
    });
    expect(episode.alertIds()).toContain('labs-overdue');
  });

  it('"restart": without immunosuppression the reassessment pauses on hold and restarts its interval on resumption [seed.monitoring.1]', () => {
    const episode = new Episode(episodeInput(jade, 'suspected'));
    expect(episode.context.dues['reassessment']?.dueAt).toBe(h(12));
    episode.send(ev('hold.started', h(2), { reason: 'transfer' }));
    expect(episode.context.dues['reassessment']?.pausedAt).toBe(h(2));
    episode.send(tick(h(13)));
    expect(episode.hasTag('overdue')).toBe(false);
    episode.send(ev('hold.ended', h(20), {}));
    expect(episode.context.dues['reassessment']).toEqual({
      dueAt: h(32),
      pausedAt: null,
      firedAt: null,
    });
    episode.send(tick(h(31)));
    expect(episode.hasTag('overdue')).toBe(false);
    episode.send(tick(h(33)));
    expect(episode.hasTag('overdue')).toBe(true);
  });

  it('a glucocorticoid started during the hold unpauses the reassessment at once [seed.monitoring.1]', () => {
    const episode = new Episode(episodeInput(jade, 'suspected'));
    episode.send(ev('hold.started', h(2), { reason: 'transfer' }));
    episode.send(ev('therapy.started', h(3), { drug: 'methylprednisolone' }));
    expect(episode.context.dues['reassessment']).toEqual({
      dueAt: h(15),
      pausedAt: null,
      firedAt: null,
    });
  });

  it('glucocorticoids, antimicrobials, transfusion and organ support stay possible on hold [seed.initial.3, seed.supportive.1, seed.supportive.2]', () => {
    const episode = new Episode(episodeInput(jade, 'suspected'));
    episode.send(ev('hold.started', h(1), { reason: 'transfer' }));
    expect(
      episode.can(ev('therapy.started', h(2), { drug: 'methylprednisolone' })),
    ).toBe(true);
    expect(
      episode.can(
        ev('antimicrobials.started', h(2), { agents: ['ceftriaxone'] }),
      ),
    ).toBe(true);
    expect(
      episode.can(ev('support.started', h(2), { kind: 'transfusion' })),
    ).toBe(true);
    expect(
      episode.can(ev('support.started', h(2), { kind: 'vasopressors' })),
    ).toBe(true);
  });
});
