import { describe, expect, it } from '@jest/globals';

import {
  amira,
  febrileSjia,
  floridMas,
  improved,
  ivan,
  panelOf,
} from '@mas/testing';

import {
  drAdams,
  Episode,
  episodeInput,
  ev,
  h,
} from '../../spec-support/episode.spec-support.js';

const florid = panelOf(floridMas, febrileSjia);

function inRemission() {
  const episode = new Episode(episodeInput(ivan, 'suspected'));
  return episode
    .send(ev('labs.recorded', h(0.5), { panel: florid }))
    .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
    .send(
      ev('reassessment.recorded', h(11), {
        panel: panelOf(improved(floridMas), febrileSjia),
      }),
    )
    .send(ev('remission.recorded', h(20), {}));
}

describe('outcomes and the paths to them', () => {
  it('exclusion straight from suspicion, with a rationale', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(
      ev(
        'diagnosis.excluded',
        h(2),
        {},
        drAdams,
        'fever explained by influenza; ferritin 300',
      ),
    );
    expect(episode.snapshot.value).toBe('excluded');
  });

  it('confirmation on criteria after a work-up', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode
      .send(ev('workup.started', h(0.2), {}))
      .send(ev('labs.recorded', h(1), { panel: florid }));
    episode.send(ev('diagnosis.confirmed', h(2), { basis: 'criteria' }));
    expect(episode.hasTag('confirmed')).toBe(true);
    expect(episode.context.clinicalDiagnosisWithoutCriteria).toBe(false);
  });

  it('in remission and during the taper a glucocorticoid stays possible (never gated), and the episode closes from remission [seed.initial.1, seed.monitoring.3]', () => {
    const episode = inRemission();
    episode.send(ev('therapy.started', h(21), { drug: 'dexamethasone' }));
    expect(episode.hasTag('remission')).toBe(true);
    episode.send(ev('episode.closed', h(200), {}));
    expect(episode.snapshot.output).toMatchObject({ outcome: 'closed' });

    const tapering = inRemission().send(ev('taper.started', h(21), {}));
    tapering.send(ev('therapy.started', h(22), { drug: 'dexamethasone' }));
    expect(tapering.hasTag('taper')).toBe(true);
  });
});
