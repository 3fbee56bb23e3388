import { describe, expect, it } from '@jest/globals';
import { initialTransition } from 'xstate';

import type { EpisodeEvent } from '@mas/contracts';
import { ben, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  episodeInput,
  ev,
  h,
  prescribedStart,
} from '../spec-support/episode.spec-support.js';
import { stepHistory } from './history-steps.js';
import { masEpisodeMachine } from './mas-episode.machine.js';
import { stepEpisode } from './mas-episode.persistence.js';

/** An entry as a reader holds it: its place in the chain and what it recorded. */
interface Entry {
  readonly seq: number;
  readonly event: EpisodeEvent | 'unreadable';
}

const eventOf = (entry: Entry): EpisodeEvent => {
  if (entry.event === 'unreadable') {
    throw new Error(`entry ${String(entry.seq)}: an event no longer known`);
  }
  return entry.event;
};

describe("the readers' one rule for an episode's history", () => {
  const [initial] = initialTransition(
    masEpisodeMachine,
    episodeInput(ben, 'suspected'),
  );
  const labs = ev('labs.recorded', h(0.5), {
    panel: panelOf(floridMas, febrileSjia),
  });
  const pulse = prescribedStart(ben, 'methylprednisolone', h(1));
  const hold = ev('hold.started', h(2), { reason: 'transfer' });
  // The record as a later statechart found it after entry 2: here, on hold
  // already (an earlier statechart's own reading of its entries).
  const [onHold] = stepEpisode(initial, hold);
  const stored = JSON.parse(
    JSON.stringify(masEpisodeMachine.getPersistedSnapshot(onHold)),
  ) as unknown;

  it('steps every entry from the first snapshot when no later statechart took the record over', () => {
    const steps = [
      ...stepHistory(
        initial,
        [
          { seq: 1, event: labs },
          { seq: 2, event: pulse },
        ],
        eventOf,
      ),
    ];
    expect(steps.map((step) => [step.entry.seq, step.readAnew])).toEqual([
      [1, false],
      [2, false],
    ]);
    expect(steps[1]?.after.hasTag('first-line')).toBe(
      stepEpisode(stepEpisode(initial, labs)[0], pulse)[0].hasTag('first-line'),
    );
  });

  it('takes the record up at the first entry after the takeover, by its seq and not its position (an entry missing from the list does not shift it)', () => {
    const steps = [
      ...stepHistory(
        initial,
        // Entry 2 is not in the list (a reader given part of the chain).
        [
          { seq: 1, event: labs },
          { seq: 3, event: pulse },
        ],
        eventOf,
        { takenUp: { afterSeq: 2, snapshot: stored } },
      ),
    ];
    expect(steps.map((step) => [step.entry.seq, step.readAnew])).toEqual([
      [1, true],
      [3, false],
    ]);
    // Entry 3 stepped from the record as stored (on hold), not from this
    // statechart's reading of entry 1.
    expect(steps[1]?.before.value).toEqual(onHold.value);
    expect(steps[0]?.after.value).not.toEqual(onHold.value);
  });

  it("an earlier statechart's entry it cannot read ends the reading anew until the takeover; its own entry that does not read is an error", () => {
    const history = (entries: Entry[], earlier = false) =>
      [
        ...stepHistory(initial, entries, eventOf, {
          takenUp: earlier ? null : { afterSeq: 2, snapshot: stored },
          earlier,
        }),
      ].map((step) => step.entry.seq);
    expect(
      history([
        { seq: 1, event: 'unreadable' },
        { seq: 2, event: labs },
        { seq: 3, event: pulse },
      ]),
    ).toEqual([3]);
    // A record no later statechart took over yet is all read anew.
    expect(
      history(
        [
          { seq: 1, event: labs },
          { seq: 2, event: 'unreadable' },
          { seq: 3, event: pulse },
        ],
        true,
      ),
    ).toEqual([1]);
    expect(() =>
      history([
        { seq: 1, event: labs },
        { seq: 2, event: pulse },
        { seq: 3, event: 'unreadable' },
      ]),
    ).toThrow('entry 3: an event no longer known');
  });

  it('with no first snapshot kept, the history starts at the takeover', () => {
    expect(
      [
        ...stepHistory(
          null,
          [
            { seq: 1, event: labs },
            { seq: 2, event: pulse },
            { seq: 3, event: labs },
          ],
          eventOf,
          { takenUp: { afterSeq: 2, snapshot: stored } },
        ),
      ].map((step) => step.entry.seq),
    ).toEqual([3]);
  });
});
