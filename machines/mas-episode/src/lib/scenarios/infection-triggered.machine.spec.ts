import { describe, expect, it } from '@jest/globals';

import { dario, floridMas, panelOf } from '@mas/testing';

import {
  Episode,
  episodeInput,
  ev,
  h,
  scheduler,
} from '../../spec-support/episode.spec-support.js';

describe("Dario, 34, adult-onset Still's disease: infection-triggered MAS", () => {
  it('antimicrobials start before the diagnosis; infection without them alerts but never blocks glucocorticoids [seed.subtype.3, seed.pitfalls.2]', () => {
    const episode = new Episode(episodeInput(dario, 'at-risk'));
    expect(episode.hasTag('at-risk')).toBe(true);
    episode.send(
      ev('antimicrobials.started', h(0.2), {
        agents: ['piperacillin-tazobactam'],
      }),
    );
    expect(episode.context.antimicrobialsActive).toBe(true);

    episode.send(ev('suspicion.recorded', h(1), {}));
    episode.send(ev('trigger.identified', h(1.1), { trigger: 'infection' }));
    expect(episode.snapshot.value).toMatchObject({
      open: { triggers: { infection: { present: 'covered' } } },
    });
    expect(episode.hasTag('infection')).toBe(true);

    episode.send(ev('antimicrobials.stopped', h(2), {}));
    expect(episode.alertIds()).toContain('infection-without-antimicrobials');
    expect(episode.snapshot.value).toMatchObject({
      open: { triggers: { infection: { present: 'uncovered' } } },
    });

    expect(
      episode.can(
        ev('therapy.started', h(2.5), { drug: 'methylprednisolone' }),
      ),
    ).toBe(true);
    episode.send(ev('therapy.started', h(2.5), { drug: 'methylprednisolone' }));
    expect(episode.alertIds()).toContain('infection-without-antimicrobials');

    episode.send(ev('antimicrobials.started', h(3), { agents: ['meropenem'] }));
    expect(episode.alertIds()).not.toContain(
      'infection-without-antimicrobials',
    );
  });

  it('"no specific antimicrobial, viral trigger" is a valid recorded decision [seed.subtype.3, seed.pitfalls.2]', () => {
    const episode = new Episode(episodeInput(dario, 'suspected'));
    episode.send(ev('trigger.identified', h(1), { trigger: 'infection' }));
    episode.send(
      ev(
        'decision.recorded',
        h(1.5),
        {
          topic: 'infection-antimicrobials',
          choice: 'no-specific-antimicrobial-viral-trigger',
        },
        undefined,
        'CMV viraemia; no bacterial focus',
      ),
    );
    expect(episode.alertIds()).not.toContain(
      'infection-without-antimicrobials',
    );
    expect(episode.snapshot.value).toMatchObject({
      open: { triggers: { infection: { present: 'covered' } } },
    });
  });

  it('screens panels of a followed at-risk patient [seed.pitfalls.3]', () => {
    const episode = new Episode(episodeInput(dario, 'at-risk'));
    episode.send(
      ev(
        'labs.recorded',
        h(5),
        { panel: panelOf(floridMas, { febrile: true }) },
        scheduler,
      ),
    );
    expect(episode.alertIds()).toContain('mas-not-considered');
  });
});
