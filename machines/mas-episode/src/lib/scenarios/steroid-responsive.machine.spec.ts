import { describe, expect, it } from '@jest/globals';

import { amira, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import {
  drAdams,
  Episode,
  episodeInput,
  ev,
  h,
  nurseDiaz,
} from '../../spec-support/episode.spec-support.js';

describe('Amira, 7, sJIA: steroid-responsive MAS', () => {
  const florid = panelOf(floridMas, febrileSjia);
  const better = panelOf(improved(floridMas), febrileSjia);
  const best = panelOf(improved(improved(floridMas)), febrileSjia);

  it('goes from suspicion to remission on a methylprednisolone pulse, then closes [seed.lead, seed.initial.1, seed.initial.4, seed.monitoring.3]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    expect(episode.snapshot.value).toMatchObject({
      open: { diagnosis: 'suspected', treatment: 'untreated', hold: 'none' },
    });
    expect(episode.context.protocol).toMatchObject({
      id: 'mas-protocol',
      version: '1.0.0',
    });
    expect(episode.context.profile.hash).toMatch(/^sha256:/);

    episode.send(ev('labs.recorded', h(0.5), { panel: florid }, nurseDiaz));
    expect(episode.context.lastScreen).toMatchObject({
      suggestive: true,
      criteriaMet: true,
      mas2016Classified: true,
    });

    episode.send(ev('diagnosis.confirmed', h(1), { basis: 'criteria' }));
    expect(episode.hasTag('confirmed')).toBe(true);

    episode.send(
      ev('therapy.started', h(1.5), {
        drug: 'methylprednisolone',
        route: 'iv',
        dose: { value: 720, unit: 'mg' },
      }),
    );
    expect(episode.snapshot.value).toMatchObject({
      open: { treatment: { active: 'firstLine' } },
    });
    expect(episode.hasTag('first-line')).toBe(true);
    expect(episode.context.firstGlucocorticoidAt).toBe(h(1.5));
    expect(episode.context.dues['glucocorticoidStart']?.dueAt).toBeNull();
    expect(episode.actionTypes()).toEqual([]);

    episode.send(ev('reassessment.recorded', h(11), { panel: better }));
    expect(episode.context.lastResponse?.verdict).toBe('responding');
    expect(episode.context.dues['reassessment']?.dueAt).toBe(h(23));
    episode.send(ev('reassessment.recorded', h(22), { panel: best }));
    expect(episode.context.lastResponse?.verdict).toBe('responding');
    expect(episode.alertIds()).toEqual([]);

    episode.send(ev('remission.recorded', h(30), {}));
    expect(episode.hasTag('remission')).toBe(true);
    episode.send(ev('taper.started', h(31), {}));
    expect(episode.hasTag('taper')).toBe(true);
    expect(episode.can(ev('relapse.recorded', h(32), {}))).toBe(true);

    episode.send(ev('episode.closed', h(32), {}, drAdams));
    expect(episode.snapshot.value).toBe('closed');
    expect(episode.snapshot.status).toBe('done');
    expect(episode.snapshot.output).toEqual({
      episodeId: 'episode-SYN-AMIRA-7',
      outcome: 'closed',
    });
  });

  it('remission without a "responding" verdict needs a rationale [seed.monitoring.3]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    expect(episode.can(ev('remission.recorded', h(2), {}))).toBe(false);
    expect(
      episode.can(
        ev(
          'remission.recorded',
          h(2),
          {},
          drAdams,
          'fever gone, ferritin normal at outside lab',
        ),
      ),
    ).toBe(true);
  });
});
