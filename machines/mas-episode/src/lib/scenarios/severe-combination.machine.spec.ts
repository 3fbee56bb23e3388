import { describe, expect, it } from '@jest/globals';

import { amira, febrileSjia, floridMas, gus, panelOf } from '@mas/testing';

import {
  Episode,
  episodeInput,
  ev,
  h,
} from '../../spec-support/episode.spec-support.js';

describe('Gus, 9, sJIA: severe MAS, combination up front', () => {
  it('organ support raises "severity underestimated" until marked severe; then the triple regimen starts without a rationale [seed.second-line.1, seed.second-line.5, seed.pitfalls.4, seed.supportive.1, seed.emerging.1]', () => {
    const episode = new Episode(episodeInput(gus, 'suspected'));
    episode.send(
      ev('labs.recorded', h(0.3), { panel: panelOf(floridMas, febrileSjia) }),
    );
    episode.send(ev('support.started', h(0.5), { kind: 'ventilation' }));
    expect(episode.alertIds()).toContain('severity-underestimated');
    expect(episode.hasTag('supportive-care')).toBe(true);

    episode.send(
      ev('severity.assessed', h(0.6), { severe: true, rapidlyWorsening: true }),
    );
    expect(episode.alertIds()).not.toContain('severity-underestimated');

    episode.send(ev('therapy.started', h(0.7), { drug: 'methylprednisolone' }));
    episode.send(
      ev('therapy.started', h(0.8), { drug: 'anakinra', route: 'iv' }),
    );
    episode.send(
      ev('therapy.started', h(0.9), { drug: 'ciclosporin', route: 'iv' }),
    );
    expect(episode.snapshot.value).toMatchObject({
      open: { treatment: { active: 'escalated' } },
    });
    expect(episode.context.firstTargetedTherapyAt).toBe(h(0.8));
    expect(episode.alertIds()).not.toContain(
      'second-line-before-glucocorticoid',
    );

    episode.send(ev('support.stopped', h(40), { kind: 'ventilation' }));
    expect(episode.hasTag('supportive-care')).toBe(false);
  });

  it('without severity, anakinra up front on a glucocorticoid background needs a rationale (early targeted therapy) [seed.second-line.5, seed.emerging.1, seed.emerging.3]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    episode.send(ev('therapy.started', h(0.5), { drug: 'methylprednisolone' }));
    const anakinra = ev('therapy.started', h(1), { drug: 'anakinra' });
    expect(episode.refusal(anakinra)).toMatch(
      /rationale is required: anakinra up front on a glucocorticoid background/,
    );
    episode.send({
      ...anakinra,
      rationale: 'triple regimen per unit practice',
    });
    expect(episode.hasTag('escalated')).toBe(true);
  });

  it('anakinra before any glucocorticoid needs a rationale and keeps an alert active until one starts [seed.lead, seed.second-line.5]', () => {
    const episode = new Episode(episodeInput(amira, 'suspected'));
    const anakinra = ev('therapy.started', h(0.5), { drug: 'anakinra' });
    expect(episode.refusal(anakinra)).toMatch(/before any glucocorticoid/);
    episode.send({
      ...anakinra,
      rationale: 'steroids delayed: awaiting infectious work-up',
    });
    expect(episode.alertIds()).toContain('second-line-before-glucocorticoid');
    episode.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    expect(episode.alertIds()).not.toContain(
      'second-line-before-glucocorticoid',
    );
  });

  it('background anakinra from before the episode, and its dose increase, are not escalation', () => {
    const episode = new Episode(episodeInput(amira, 'at-risk'));
    episode.send(ev('background-therapy.recorded', h(0), { drug: 'anakinra' }));
    episode.send(
      ev('background-therapy.recorded', h(10), {
        drug: 'anakinra',
        doseIncreased: true,
      }),
    );
    expect(episode.alertIds()).not.toContain(
      'second-line-before-glucocorticoid',
    );
    expect(episode.hasTag('untreated')).toBe(true);
    expect(episode.context.therapies).toHaveLength(1);
    expect(episode.context.therapies[0]).toMatchObject({
      drug: 'anakinra',
      background: true,
    });
  });

  it('coagulopathy management and a bleeding watch start and stop at any time; haemorrhage while not severe alerts [seed.supportive.3, seed.pitfalls.4]', () => {
    const episode = new Episode(episodeInput(gus, 'at-risk'));
    episode.send(
      ev('support.started', h(0.5), { kind: 'coagulopathy-management' }),
    );
    episode.send(ev('support.started', h(0.6), { kind: 'bleeding-watch' }));
    expect(episode.hasTag('supportive-care')).toBe(true);
    expect(episode.alertIds()).not.toContain('severity-underestimated');
    episode.send(ev('labs.recorded', h(1), { panel: { hemorrhage: true } }));
    expect(episode.alertIds()).toContain('severity-underestimated');
    episode.send(
      ev('support.stopped', h(30), { kind: 'coagulopathy-management' }),
    );
    episode.send(ev('support.stopped', h(30), { kind: 'bleeding-watch' }));
    expect(episode.hasTag('supportive-care')).toBe(false);
  });
});
