/**
 * `profile.adopted`: the service's institution profile taking effect for
 * the events that follow in a running episode. The machine checks the file
 * and its content hash; the decisions after it use the new profile's
 * values, the ones before stay as decided.
 */
import { describe, expect, it } from '@jest/globals';
import { initialTransition } from 'xstate';

import { parseInstitutionProfile } from '@mas/protocol';
import { ben, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  qualityFactsOf,
  startQualityFold,
  stepQualityFold,
} from '../analytics/episode-facts.js';
import {
  complete,
  drBaker,
  drChen,
  Episode,
  episodeInput,
  ev,
  exampleProfile,
  h,
  scheduler,
} from '../spec-support/episode.spec-support.js';
import { explainRefusal } from './mas-episode.explain.js';
import { masEpisodeMachine } from './mas-episode.machine.js';
import { stepEpisode } from './mas-episode.persistence.js';

const example = exampleProfile();
const florid = panelOf(floridMas, febrileSjia);
/** Another institution's profile, at a later version. */
const other = parseInstitutionProfile({
  ...example.source,
  profileId: 'another-institution',
  version: '2.0.0',
});
/** The EXAMPLE profile, version 1.1.0, with a 12 h countersignature window. */
const revised = parseInstitutionProfile({
  ...example.source,
  version: '1.1.0',
  delays: { ...example.data.delays, countersignatureWindowHours: 12 },
});

function adopt(
  at: string,
  profile: Record<string, unknown> | undefined = revised.source,
  hash = revised.hash,
) {
  return ev('profile.adopted', at, { profile: profile ?? {}, hash }, scheduler);
}

function onLabs() {
  const [opened] = initialTransition(masEpisodeMachine, episodeInput(ben));
  const [after] = stepEpisode(
    opened,
    ev('labs.recorded', h(1), { panel: florid }),
  );
  return after;
}

describe('profile.adopted', () => {
  it('moves the episode to the new profile: its identity, and the values later decisions read', () => {
    const before = onLabs();
    const [after] = stepEpisode(before, adopt(h(1)));
    expect(after).not.toBe(before);
    expect(after.context.profile).toEqual({
      id: example.data.profileId,
      version: '1.1.0',
      hash: revised.hash,
      example: true,
    });
    expect(after.context.profileData.delays.countersignatureWindowHours).toBe(
      12,
    );
    // What was decided stays: the state and the due times set before.
    expect(after.value).toEqual(before.value);
    expect(after.context.dues).toEqual(before.context.dues);
    expect(Object.keys(after.context.dues).length).toBeGreaterThan(0);
  });

  it('refuses a file whose hash is not the one named, the profile already in force, and a profile an episode cannot run under, each with its reason', () => {
    const before = onLabs();
    const cases = [
      [adopt(h(1), revised.source, example.hash), /content hash is/],
      [
        adopt(h(1), example.source, example.hash),
        /already runs under this profile/,
      ],
      [
        adopt(
          h(1),
          {
            ...example.source,
            version: '1.2.0',
            delays: { countersignatureWindowHours: 24 },
          },
          revised.hash,
        ),
        /not usable: .*suspicionToGlucocorticoidMaxHours/,
      ],
      [adopt(h(1), { kind: 'not a profile' }), /not usable/],
      [
        adopt(h(1), other.source, other.hash),
        /another institution's profile is never adopted/,
      ],
    ] as const;
    for (const [event, reason] of cases) {
      const [after] = stepEpisode(before, event);
      expect(after).toBe(before);
      expect(explainRefusal(before, event)?.reason).toMatch(reason);
    }
  });

  it('never moves an episode back to an earlier version of its profile', () => {
    const adopted = stepEpisode(onLabs(), adopt(h(1)))[0];
    const back = adopt(h(1), example.source, example.hash);
    expect(stepEpisode(adopted, back)[0]).toBe(adopted);
    expect(explainRefusal(adopted, back)?.reason).toMatch(
      /profile version 1\.0\.0 does not come after 1\.1\.0/,
    );
  });

  it('is recorded by the service alone', () => {
    const before = onLabs();
    const event = ev('profile.adopted', h(1), {
      profile: revised.source ?? {},
      hash: revised.hash,
    });
    const [after] = stepEpisode(before, event);
    expect(after).toBe(before);
  });

  it('decisions after the adoption read the new values: an emergency start is countersigned within 12 h instead of 24 h', () => {
    const dueOf = (adopted: boolean) => {
      const episode = new Episode(episodeInput(ben, 'suspected'));
      episode
        .send(ev('labs.recorded', h(0.5), { panel: florid }))
        .send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }))
        .send(
          ev('severity.assessed', h(2), {
            severe: true,
            rapidlyWorsening: true,
          }),
        );
      if (adopted) episode.send(adopt(h(2)));
      episode.send(
        ev(
          'therapy.started',
          h(3),
          { drug: 'etoposide', emergency: true },
          drBaker,
          'collapse',
        ),
      );
      const due = Object.entries(episode.context.dues).find(([id]) =>
        id.startsWith('countersignature:'),
      );
      return due?.[1].dueAt;
    };
    expect(dueOf(false)).toBe(h(3 + 24));
    expect(dueOf(true)).toBe(h(3 + 12));
  });
});

describe('the quality facts across an adoption', () => {
  /** A fold over `events` from Ben's opening (suspected at T0). */
  function factsOver(events: Parameters<typeof stepEpisode>[1][]) {
    const [opened] = initialTransition(masEpisodeMachine, episodeInput(ben));
    let snapshot = opened;
    let fold = startQualityFold(opened);
    for (const spec of events) {
      const event = complete(snapshot.context, spec);
      const [after] = stepEpisode(snapshot, event);
      expect(after).not.toBe(snapshot);
      fold = stepQualityFold(fold, snapshot, event, after);
      snapshot = after;
    }
    return qualityFactsOf(fold, snapshot.context, { episodeId: 'e' });
  }

  it('judge the first glucocorticoid and each emergency start by the limits in force then, not by a profile adopted later', () => {
    // A profile with a 4 h glucocorticoid limit and a 2 h countersignature
    // window, adopted after the suspicion and after the emergency start.
    const strict = parseInstitutionProfile({
      ...example.source,
      version: '1.2.0',
      delays: {
        ...example.data.delays,
        suspicionToGlucocorticoidMaxHours: 4,
        countersignatureWindowHours: 2,
      },
    });
    const facts = factsOver([
      ev('labs.recorded', h(0.5), { panel: florid }),
      ev('therapy.started', h(5), { drug: 'methylprednisolone' }),
      ev('severity.assessed', h(6), { severe: true, rapidlyWorsening: true }),
      ev(
        'therapy.started',
        h(7),
        { drug: 'etoposide', emergency: true },
        drBaker,
        'collapse',
      ),
      adopt(h(7), strict.source, strict.hash),
      ev('escalation.countersigned', h(12), { drug: 'etoposide' }, drChen),
    ]);
    // 5 h against the 6 h of the EXAMPLE profile in force at suspicion.
    expect(facts?.glucocorticoid).toEqual({ hours: 5, targetHours: 6 });
    // Countersigned after 5 h, within the 24 h window in force at the start.
    expect(facts?.refractoryStarts).toEqual(['emergency-countersigned']);
  });
});
