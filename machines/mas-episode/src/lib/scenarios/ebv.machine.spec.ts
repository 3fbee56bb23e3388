import { describe, expect, it } from '@jest/globals';

import { eun } from '@mas/testing';

import {
  drBaker,
  Episode,
  episodeInput,
  ev,
  h,
} from '../../spec-support/episode.spec-support.js';

describe('Eun, 15, SLE: EBV-associated MAS', () => {
  it('rituximab is gated on EBV alone (not on refractoriness) and on HBV serology [seed.refractory.4]', () => {
    const episode = new Episode(episodeInput(eun, 'suspected'));
    episode.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    const rituximab = ev('therapy.started', h(2), {
      drug: 'rituximab',
      route: 'iv',
    });
    expect(episode.refusal(rituximab)).toMatch(/record the EBV trigger first/);

    episode.send(
      ev('trigger.identified', h(1.5), { trigger: 'ebv', ebvCellType: 'T/NK' }),
    );
    expect(episode.hasTag('ebv')).toBe(true);
    expect(episode.refusal(rituximab)).toMatch(
      /needs hepatitis B serology recorded or overridden/,
    );

    const override = ev(
      'screening.recorded',
      h(1.6),
      { kind: 'hbv-serology', result: 'overridden' },
      drBaker,
    );
    expect(episode.can(override)).toBe(false);
    episode.send({
      ...override,
      rationale: 'serology sent; HBV vaccinated, anti-HBs positive last year',
    });

    episode.send(rituximab);
    expect(episode.context.inadequateResponseRecorded).toBe(false);
    expect(episode.alertIds()).toContain('rituximab-ebv-t-nk');
    expect(episode.snapshot.value).toMatchObject({
      open: { treatment: { active: 'firstLine' } },
    });
  });

  it('an EBV cell type only goes with the EBV trigger', () => {
    const episode = new Episode(episodeInput(eun, 'suspected'));
    const wrong = ev('trigger.identified', h(1), {
      trigger: 'infection',
      ebvCellType: 'B',
    });
    expect(episode.refusal(wrong)).toMatch(
      /ebvCellType applies only to the EBV trigger/,
    );
  });
});
