import { describe, expect, it } from '@jest/globals';

import { activeSjiaFlare, jade, kofi, panelOf } from '@mas/testing';

import {
  drAdams,
  Episode,
  episodeInput,
  ev,
  h,
} from '../../spec-support/episode.spec-support.js';

describe('Kofi, 52, no known rheumatic disease: MAS suspected, then excluded', () => {
  it('glucocorticoids start during the work-up; exclusion with a rationale closes the episode [seed.pitfalls.3]', () => {
    const episode = new Episode(episodeInput(kofi, 'suspected'));
    expect(episode.snapshot.value).toMatchObject({
      open: { subtype: 'unclassified' },
    });
    episode
      .send(ev('workup.started', h(0.5), {}))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(
        ev('labs.recorded', h(6), {
          panel: panelOf(activeSjiaFlare, { febrile: true }),
        }),
      );
    expect(episode.context.lastScreen?.criteriaMet).toBe(false);
    episode.send(
      ev(
        'diagnosis.excluded',
        h(30),
        {},
        drAdams,
        'bacterial sepsis explains the picture; ferritin 450',
      ),
    );
    expect(episode.snapshot.value).toBe('excluded');
    expect(episode.snapshot.output).toEqual({
      episodeId: 'episode-SYN-KOFI-52',
      outcome: 'excluded',
    });
  });
});

describe('Jade, 6, sJIA: transferred out to another hospital', () => {
  it('transfer out is an outcome: the episode ends', () => {
    const episode = new Episode(episodeInput(jade, 'suspected'));
    episode
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(
        ev('transfer-out.recorded', h(5), { destination: 'regional PICU' }),
      );
    expect(episode.snapshot.value).toBe('transferredOut');
    expect(episode.snapshot.status).toBe('done');
  });
});
