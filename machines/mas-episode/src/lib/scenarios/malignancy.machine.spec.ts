import { describe, expect, it } from '@jest/globals';

import { farah } from '@mas/testing';

import {
  Episode,
  episodeInput,
  ev,
  h,
} from '../../spec-support/episode.spec-support.js';

describe('Farah, 45: malignancy-associated MAS', () => {
  it('alerts until the malignancy is treated too [seed.subtype.2]', () => {
    const episode = new Episode(episodeInput(farah, 'suspected'));
    const chemo = ev('malignancy-treatment.started', h(1), {});
    expect(episode.refusal(chemo)).toMatch(/no malignancy is recorded/);
    episode.send(ev('trigger.identified', h(0.5), { trigger: 'malignancy' }));
    expect(episode.alertIds()).toContain('malignancy-not-treated');
    expect(episode.snapshot.value).toMatchObject({
      open: { triggers: { malignancy: { present: 'untreated' } } },
    });
    episode.send(ev('therapy.started', h(0.7), { drug: 'dexamethasone' }));
    episode.send(chemo);
    expect(episode.alertIds()).not.toContain('malignancy-not-treated');
    expect(episode.snapshot.value).toMatchObject({
      open: {
        triggers: { malignancy: { present: 'treated' } },
        subtype: 'other',
      },
    });
  });

  it("tocilizumab outside Still's disease needs a rationale [seed.subtype.1]", () => {
    const episode = new Episode(episodeInput(farah, 'suspected'));
    episode.send(ev('therapy.started', h(0.5), { drug: 'methylprednisolone' }));
    episode.send(
      ev('severity.assessed', h(0.6), {
        severe: true,
        rapidlyWorsening: false,
      }),
    );
    const tocilizumab = ev('therapy.started', h(1), { drug: 'tocilizumab' });
    expect(episode.refusal(tocilizumab)).toMatch(
      /recommended in Still's disease-related MAS/,
    );
  });
});
