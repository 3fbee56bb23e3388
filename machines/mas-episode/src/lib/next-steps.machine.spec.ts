/**
 * The recommended next step on a recorded episode: the protocol's rule (the
 * one the simulator's protocol policy acts on), read off what is recorded,
 * each step matched to the action the user is offered.
 */
import { describe, expect, it } from '@jest/globals';

import type { EpisodeActor } from '@mas/contracts';
import { ben, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import {
  drAdams,
  drBaker,
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
      // Its approval is advised once the request exists.
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

  /** Ben on the pulse, anakinra and ciclosporin, the last reassessment inadequate. */
  function refractoryEpisode(): Episode {
    return new Episode(episodeInput(ben, 'suspected'))
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('diagnosis.confirmed', h(0.6), { basis: 'criteria' }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(ev('reassessment.recorded', h(49), { panel: florid }))
      .send(ev('therapy.started', h(50), { drug: 'anakinra' }))
      .send(ev('reassessment.recorded', h(61), { panel: florid }))
      .send(ev('therapy.started', h(62), { drug: 'ciclosporin' }))
      .send(ev('reassessment.recorded', h(73), { panel: florid }));
  }

  /** The screenings before a refractory drug, recorded by Dr Baker. */
  function screened(episode: Episode): Episode {
    for (const kind of [
      'tb-screening',
      'zoster-prophylaxis',
      'pjp-prophylaxis',
      'fungal-prophylaxis',
    ] as const) {
      episode.send(
        ev('screening.recorded', h(73.5), { kind, result: 'done' }, drBaker),
      );
    }
    return episode;
  }

  it('a refractory therapy started in an emergency: its countersignature, and no second refractory drug [seed.refractory.3]', () => {
    const episode = refractoryEpisode().send(
      ev(
        'therapy.started',
        h(74),
        { drug: 'etoposide', emergency: true },
        drBaker,
        'deteriorating overnight: low-dose etoposide now',
      ),
    );
    const advised = advice(episode, drChen);
    expect(advised[0]).toBe('escalation.countersigned etoposide: allowed');
    expect(advised.join()).not.toMatch(/emapalumab/);
  });

  it("a pending request for another refractory drug: the second senior's decision, matched to its action; no request for emapalumab beside it [seed.refractory.1]", () => {
    const episode = screened(refractoryEpisode());
    episode.send(
      ev(
        'escalation.requested',
        h(74),
        {
          requestId: 'r-rux',
          drug: 'ruxolitinib',
          evidence: ['seed.refractory.2'],
        },
        drBaker,
        'refractory to standard care',
      ),
    );
    expect(advice(episode, drChen)).toEqual([
      'escalation.approved ruxolitinib: allowed-with-rationale',
    ]);
    // The requester cannot approve their own request: offered as blocked.
    expect(advice(episode, drBaker)[0]).toMatch(
      /^escalation\.approved ruxolitinib: blocked/,
    );
  });

  it('a refractory request a senior rejected is not advised again until a later reassessment is inadequate [seed.refractory.1]', () => {
    const episode = screened(refractoryEpisode());
    episode
      .send(
        ev(
          'escalation.requested',
          h(74),
          {
            requestId: 'r-ema',
            drug: 'emapalumab',
            evidence: ['seed.refractory.1'],
          },
          drBaker,
          'refractory to standard care',
        ),
      )
      .send(
        ev(
          'escalation.rejected',
          h(75),
          { requestId: 'r-ema' },
          drChen,
          'latent TB not excluded yet',
        ),
      );
    expect(advice(episode, drBaker).join()).not.toMatch(/emapalumab/);
    episode.send(ev('reassessment.recorded', h(85), { panel: florid }));
    expect(advice(episode, drBaker)).toContain(
      'escalation.requested emapalumab: allowed-with-rationale',
    );
  });

  it('a glucocorticoid stopped while MAS is active: a pulse again; a second-line drug stopped counts as not on board [seed.initial.1]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('diagnosis.confirmed', h(0.6), { basis: 'criteria' }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(ev('therapy.stopped', h(4), { drug: 'methylprednisolone' }));
    expect(advice(episode)[0]).toBe(
      'therapy.started methylprednisolone: allowed',
    );
    episode
      .send(ev('therapy.started', h(5), { drug: 'methylprednisolone' }))
      .send(ev('reassessment.recorded', h(49), { panel: florid }))
      .send(ev('therapy.started', h(50), { drug: 'anakinra' }))
      .send(ev('therapy.stopped', h(52), { drug: 'anakinra' }))
      .send(ev('reassessment.recorded', h(61), { panel: florid }));
    expect(advice(episode)).toEqual(['therapy.started anakinra: allowed']);
  });

  it('a relapse recorded after remission, the drugs stopped on the taper: back to a pulse and anakinra, the relapse not asked again [seed.monitoring.3]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(ev('labs.recorded', h(0.5), { panel: florid }))
      .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
      .send(
        ev(
          'therapy.started',
          h(2),
          { drug: 'anakinra' },
          drAdams,
          'early targeted therapy',
        ),
      )
      .send(
        ev('reassessment.recorded', h(11), {
          panel: panelOf(improved(floridMas), febrileSjia),
        }),
      )
      .send(ev('remission.recorded', h(12), {}))
      .send(ev('therapy.stopped', h(100), { drug: 'anakinra' }))
      .send(ev('therapy.stopped', h(200), { drug: 'methylprednisolone' }))
      .send(ev('relapse.recorded', h(241), {}));
    const advised = advice(episode);
    expect(advised).toContain('therapy.started methylprednisolone: allowed');
    // Before the pulse is recorded, anakinra asks for a rationale.
    expect(advised).toContain(
      'therapy.started anakinra: allowed-with-rationale',
    );
    expect(advised.join()).not.toMatch(/relapse/);
    // Treated: nothing more until the next reassessment (but the diagnosis
    // on the criteria the first panel met, never recorded).
    episode
      .send(ev('therapy.started', h(242), { drug: 'methylprednisolone' }))
      .send(
        ev(
          'therapy.started',
          h(243),
          { drug: 'anakinra' },
          drAdams,
          'relapse on the taper',
        ),
      );
    expect(advice(episode)).toEqual([
      'diagnosis.confirmed on criteria: allowed',
    ]);
  });

  it('background anakinra at its standard dose: severe MAS advises raising it to an MAS dose, and the combination [seed.second-line.4]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(
        ev(
          'background-therapy.recorded',
          h(0.2),
          { drug: 'anakinra' },
          drAdams,
          'on anakinra for sJIA since last year',
        ),
      )
      .send(
        ev('severity.assessed', h(0.5), {
          severe: true,
          rapidlyWorsening: true,
        }),
      );
    const advised = advice(episode);
    expect(advised).toContain(
      'background-therapy.recorded anakinra (dose increased): allowed-with-rationale',
    );
    expect(
      advised.some((l) => l.startsWith('therapy.started ciclosporin')),
    ).toBe(true);
    expect(advised.join()).not.toMatch(/therapy\.started anakinra/);
  });

  it('CNS involvement found after the pulse started: dexamethasone considered; a decision for methylprednisolone is respected [seed.initial.2]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(ev('therapy.started', h(0.5), { drug: 'methylprednisolone' }))
      .send(ev('labs.recorded', h(2), { panel: { cnsInvolvement: true } }));
    expect(advice(episode)).toEqual([
      'decision.recorded cns-dexamethasone: allowed-with-rationale',
      'therapy.started dexamethasone: allowed',
    ]);
    episode.send(
      ev(
        'decision.recorded',
        h(3),
        { topic: 'cns-dexamethasone', choice: 'methylprednisolone' },
        drAdams,
        'seizure settled; neurology agree to continue methylprednisolone',
      ),
    );
    expect(advice(episode)).toEqual([]);
  });

  it('an infection trigger with a recorded decision not to give antimicrobials (a viral trigger): none advised [seed.subtype.3]', () => {
    const episode = new Episode(episodeInput(ben, 'suspected'))
      .send(ev('therapy.started', h(0.5), { drug: 'methylprednisolone' }))
      .send(ev('trigger.identified', h(1), { trigger: 'infection' }))
      .send(
        ev(
          'decision.recorded',
          h(2),
          { topic: 'infection-antimicrobials', choice: 'none' },
          drAdams,
          'viral trigger: no specific antimicrobial',
        ),
      );
    expect(advice(episode)).toEqual([]);
  });
});
