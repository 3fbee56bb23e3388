import { describe, expect, it } from '@jest/globals';
import { initialTransition } from 'xstate';

import type { EpisodeEvent } from '@mas/contracts';

import { alertCandidates } from '../lib/mas-episode.alerts.js';
import { checkEvent } from '../lib/mas-episode.checks.js';
import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import { stepEpisode } from '../lib/mas-episode.persistence.js';
import type { EpisodeContext } from '../lib/mas-episode.types.js';
import { exampleProfile } from '../spec-support/episode.spec-support.js';
import {
  constantPerRoot,
  coveredFields,
  dueClass,
  unobserved,
} from './episode-abstraction.js';
import {
  episodeRoots,
  letters,
  sliceAlphabet,
  slices,
} from './episode-alphabet.js';
import { verify } from './model-checker.js';

/** A context whose top-level reads are recorded in `read`. */
function tracked(context: EpisodeContext, read: Set<string>): EpisodeContext {
  return new Proxy(context, {
    get(target, property, receiver) {
      if (typeof property === 'string') read.add(property);
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

describe('the abstraction of the model checker', () => {
  it('every context field is observed or set aside with a reason', () => {
    const [input] = episodeRoots(exampleProfile());
    const fields = Object.keys(
      masEpisodeMachine.config.context instanceof Function
        ? (
            masEpisodeMachine.config.context as (a: {
              input: unknown;
            }) => object
          )({ input })
        : {},
    );
    expect(fields.length).toBeGreaterThan(30);
    const unaccounted = fields.filter(
      (f) =>
        !coveredFields.has(f as keyof EpisodeContext) && !(f in unobserved),
    );
    expect(unaccounted).toEqual([]);
  });

  it('every field the guards, clinical checks and alerts read on explored states is in the key or constant per root', () => {
    const read = new Set<string>();
    const guards = Object.values(masEpisodeMachine.implementations.guards);
    const every = Object.keys(letters);
    const alphabet = sliceAlphabet({ name: 'all', letters: every });
    // Evaluate every guard, check and alert on states along each slice.
    for (const slice of slices) {
      const snapshots: EpisodeContext[] = [];
      verify({
        machine: masEpisodeMachine,
        roots: episodeRoots(exampleProfile()),
        alphabet: (snapshot) => {
          snapshots.push(snapshot.context);
          return sliceAlphabet(slice)(snapshot);
        },
        limit: 150,
        soundnessEvery: 0,
        properties: [],
      });
      for (const context of snapshots) {
        const letters = alphabet({
          context,
        } as Parameters<typeof alphabet>[0]);
        const events: EpisodeEvent[] = letters.flatMap((e): EpisodeEvent[] =>
          Array.isArray(e)
            ? [...(e as readonly EpisodeEvent[])]
            : [e as EpisodeEvent],
        );
        alertCandidates(tracked(context, read));
        for (const event of events) {
          checkEvent(tracked(context, read), event);
          for (const guard of guards) {
            (guard as (a: unknown, p: unknown) => unknown)(
              { context: tracked(context, read), event },
              { therapyClass: 'refractory' },
            );
          }
        }
      }
    }
    expect(read.size).toBeGreaterThan(20);
    const outside = [...read].filter(
      (field) =>
        !coveredFields.has(field as keyof EpisodeContext) &&
        !constantPerRoot.includes(field as keyof EpisodeContext),
    );
    expect(outside).toEqual([]);
  });

  it('keeps due times apart exactly where the clock steps can part them', () => {
    const steps = [7, 13];
    // 24 h and 17 h both looked "far" to the old buckets; after one long
    // tick one is 11 h ahead and the other 4 h: they part, so they differ.
    expect(dueClass(24, steps)).not.toBe(dueClass(17, steps));
    // 11 h and 10 h: no sum of 7s and 13s lies between them.
    expect(dueClass(11, steps)).toBe(dueClass(10, steps));
    // A due time equal to a reachable sum is not yet passed there.
    expect(dueClass(13, steps)).toBe('13');
    expect(dueClass(12, steps)).toBe('(7,13)');
    expect(dueClass(-1, steps)).toBe('passed');
    // A slice with the long tick only: 24 h and 17 h both lie between 13
    // and 26, and no sequence of its ticks can part them.
    expect(dueClass(24, [13])).toBe(dueClass(17, [13]));
    expect(dueClass(24, [13])).toBe('(13,26)');
    expect(dueClass(26, [13])).toBe('26');
  });

  it('the hard-limit letters sit on either side of the limit: a confirmed methylprednisolone dose at it is accepted, a milligram past it refused', () => {
    /** The one event letter `id` sends in `state`. */
    const eventOf = (id: string, state: EpisodeSnapshot): EpisodeEvent => {
      const sent = letters[id]?.(state);
      if (sent === undefined || Array.isArray(sent)) {
        throw new Error(`letter ${id} does not send one event`);
      }
      return sent as EpisodeEvent;
    };
    for (const input of episodeRoots(exampleProfile())) {
      const [root] = initialTransition(masEpisodeMachine, input) as [
        EpisodeSnapshot,
        unknown,
      ];
      const start = (id: string) => {
        const event = eventOf(id, root);
        const [after] = stepEpisode(root, event);
        return { accepted: after !== root, event };
      };
      const at = start('start:methylprednisolone:at-hard-limit+confirmed');
      const over = start('start:methylprednisolone:over-hard-limit+confirmed');
      expect([at.accepted, over.accepted]).toEqual([true, false]);
      const dose = (event: EpisodeEvent) =>
        event.type === 'therapy.started' ? event.payload.dose.value : NaN;
      // 24 kg x 30 mg/kg = 720 mg, three times: 2,160 mg.
      expect([dose(at.event), dose(over.event)]).toEqual([2160, 2161]);
      // Weighed again at 26 kg: the limit follows (26 x 30 x 3 = 2,340 mg).
      const [heavier] = stepEpisode(root, eventOf('measures:weight', root));
      expect(heavier.context.patient.weightKg).toBe(26);
      expect(
        dose(
          eventOf('start:methylprednisolone:at-hard-limit+confirmed', heavier),
        ),
      ).toBe(2340);
    }
  });

  it('the letters that record a weight or height are exactly those named "measures:..." (what tells a slice that reweighs, where the key keeps when each dose schedule ends)', () => {
    for (const input of episodeRoots(exampleProfile())) {
      const [root] = initialTransition(masEpisodeMachine, input) as [
        EpisodeSnapshot,
        unknown,
      ];
      for (const [id, letter] of Object.entries(letters)) {
        const sent = letter(root);
        const events = (Array.isArray(sent) ? sent : [sent]) as EpisodeEvent[];
        expect({
          id,
          measures: events.some((event) => event.type === 'measures.recorded'),
        }).toEqual({ id, measures: id.startsWith('measures:') });
      }
    }
  });
});
