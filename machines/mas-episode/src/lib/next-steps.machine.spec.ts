/**
 * The recommended next step on a recorded episode: the protocol's rule (the
 * one the simulator's protocol policy acts on), read off what is recorded,
 * each step matched to the action the user is offered.
 */
import { describe, expect, it } from '@jest/globals';

import type { EpisodeActor } from '@mas/contracts';
import { ben, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  drAdams,
  drChen,
  Episode,
  episodeInput,
  ev,
  h,
  tick,
} from '../spec-support/episode.spec-support.js';
import { explainSnapshot } from './mas-episode.explain.js';
import { recommendNextSteps } from './next-steps.js';

const florid = panelOf(floridMas, febrileSjia);

/** The recommendations as `type variant: status` lines, in order. */
function advice(episode: Episode, actor: EpisodeActor = drAdams): string[] {
  const explanation = explainSnapshot(episode.snapshot, { actor });
  return recommendNextSteps(episode.snapshot, explanation).map(
    ({ step, option }) =>
      `${step.type}${option?.variant ? ` ${option.variant}` : ''}: ${option?.status ?? 'not offered'}`,
  );
}

function firstStep(episode: Episode) {
  const explanation = explainSnapshot(episode.snapshot, { actor: drAdams });
  return recommendNextSteps(episode.snapshot, explanation)[0];
}

describe('the recommended next step on a recorded episode', () => {
  it('on suspicion, a methylprednisolone pulse first, offered as the action that records it [seed.initial.1]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'));
    expect(advice(episode)).toEqual([
      'therapy.started methylprednisolone: allowed',
    ]);
    const first = firstStep(episode);
    expect(first?.step.evidence).toContain('seed.initial.1');
    expect(first?.option?.label).toMatch(/methylprednisolone/i);
  });

  it('with CNS involvement recorded, dexamethasone considered and started instead [seed.initial.2]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected')).send(
      ev('labs.recorded', h(0.5), { panel: { cnsInvolvement: true } }),
    );
    expect(advice(episode)).toEqual([
      'decision.recorded cns-dexamethasone: allowed-with-rationale',
      'therapy.started dexamethasone: allowed',
    ]);
  });

  it('severe MAS: the combination up front beside the pulse, not refractory therapy yet [seed.second-line.5]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected')).send(
      ev('severity.assessed', h(0.5), { severe: true, rapidlyWorsening: true }),
    );
    expect(advice(episode)).toEqual([
      'therapy.started methylprednisolone: allowed',
      // Before the glucocorticoid starts, the form asks for a rationale;
      // the step carries it ("severe MAS: combination up front").
      'therapy.started anakinra: allowed-with-rationale',
      'therapy.started ciclosporin: allowed-with-rationale',
    ]);
  });

  it('an infection recorded as the trigger: antimicrobials, until they run [seed.subtype.3]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(ev('therapy.started', h(0.5), { drug: 'methylprednisolone' }))
      .send(ev('trigger.identified', h(1), { trigger: 'infection' }));
    expect(advice(episode)).toEqual(['antimicrobials.started: allowed']);
    episode.send(
      ev('antimicrobials.started', h(2), { agents: ['ceftriaxone'] }),
    );
    expect(advice(episode)).toEqual([]);
  });

  it('criteria met and no diagnosis recorded: confirm it on criteria; never on clinical grounds for the user [seed.pitfalls.1]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'));
    expect(advice(episode).join()).not.toMatch(/diagnosis/);
    episode.send(ev('labs.recorded', h(0.5), { panel: florid }));
    expect(episode.context.criteriaMetAt).not.toBeNull();
    expect(advice(episode)[0]).toBe('diagnosis.confirmed on criteria: allowed');
  });

  it('an inadequate response: anakinra, then ciclosporin, then emapalumab with its screenings and a second senior [seed.second-line.1, seed.refractory.1]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('diagnosis.confirmed', h(0.6), { basis: 'criteria' }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(ev('reassessment.recorded', h(49), { panel: florid }));
    expect(episode.context.lastResponse?.verdict).toBe('inadequate');
    expect(advice(episode)).toEqual(['therapy.started anakinra: allowed']);
    episode.send(ev('therapy.started', h(50), { drug: 'anakinra' }));
    // The next step waits for a reassessment on anakinra.
    expect(advice(episode)).toEqual([]);
    episode.send(ev('reassessment.recorded', h(61), { panel: florid }));
    expect(episode.context.lastResponse?.verdict).toBe('inadequate');
    expect(advice(episode)).toEqual(['therapy.started ciclosporin: allowed']);
    episode.send(ev('therapy.started', h(62), { drug: 'ciclosporin' }));
    expect(advice(episode)).toEqual([]);
    episode.send(ev('reassessment.recorded', h(73), { panel: florid }));
    // The refractory drug is blocked until its screenings are recorded and a
    // second senior approves: the advice says so, with the reason.
    const senior = advice(episode, drChen);
    expect(senior.slice(0, 4)).toEqual([
      'screening.recorded tb-screening: allowed',
      'screening.recorded zoster-prophylaxis: allowed',
      'screening.recorded pjp-prophylaxis: allowed',
      'screening.recorded fungal-prophylaxis: allowed',
    ]);
    expect(senior.slice(4)).toEqual([
      'escalation.requested emapalumab: allowed-with-rationale',
      'escalation.approved: blocked',
      'therapy.started emapalumab: blocked',
    ]);
  });

  it('a reassessment overdue comes first [seed.monitoring.1]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected')).send(
      ev('therapy.started', h(0.5), { drug: 'methylprednisolone' }),
    );
    expect(advice(episode)).toEqual([]);
    const due = episode.context.dues['reassessment']?.dueAt;
    expect(due).toBeDefined();
    episode.send(tick(due ?? h(13)));
    expect(advice(episode)[0]).toBe('reassessment.recorded: allowed');
  });

  it('never advises what the bedside decides (organ support, transfusion, remission, relapse) [seed.supportive.1]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('support.started', h(0.6), { kind: 'ventilation' }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    const types = advice(episode).map((line) => line.split(' ')[0]);
    for (const type of [
      'support.started',
      'support.stopped',
      'remission.recorded',
      'relapse.recorded',
      'taper.started',
    ]) {
      expect(types).not.toContain(type);
    }
  });

  it('nothing once the episode has ended', () => {
    const episode = new Episode(episodeInput(ben, 'suspected')).send(
      ev('diagnosis.excluded', h(1), {}, drAdams, 'not MAS'),
    );
    expect(episode.snapshot.status).toBe('done');
    expect(advice(episode)).toEqual([]);
  });
});
