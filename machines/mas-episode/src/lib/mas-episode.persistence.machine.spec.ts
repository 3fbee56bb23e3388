import { describe, expect, it } from '@jest/globals';
import { createActor } from 'xstate';

import { ben, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  episodeInput,
  ev,
  h,
  tick,
} from '../spec-support/episode.spec-support.js';
import { masEpisodeMachine } from './mas-episode.machine.js';

describe('persistence', () => {
  it('a persisted snapshot survives JSON and a restart, due times included (no pending timers)', () => {
    const actor = createActor(masEpisodeMachine, {
      input: episodeInput(ben, 'suspected'),
    }).start();
    actor.send(
      ev('labs.recorded', h(0.5), { panel: panelOf(floridMas, febrileSjia) }),
    );
    actor.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
    actor.send(ev('hold.started', h(2), { reason: 'transfer' }));
    const stored = JSON.stringify(actor.getPersistedSnapshot());
    actor.stop();

    const restored = createActor(masEpisodeMachine, {
      input: episodeInput(ben, 'suspected'),
      snapshot: JSON.parse(stored) as ReturnType<
        typeof actor.getPersistedSnapshot
      >,
    }).start();
    expect(restored.getSnapshot().value).toEqual(
      (JSON.parse(stored) as { value: unknown }).value,
    );
    expect(restored.getSnapshot().context.protocol.hash).toMatch(/^sha256:/);
    restored.send(tick(h(13.5)));
    expect(restored.getSnapshot().hasTag('overdue')).toBe(true);
    expect(restored.getSnapshot().hasTag('on-hold')).toBe(true);
    restored.stop();
  });

  it('the machine is deterministic: the same events give the same snapshot', () => {
    const run = () => {
      const actor = createActor(masEpisodeMachine, {
        input: episodeInput(ben, 'suspected'),
      }).start();
      actor.send(ev('therapy.started', h(1), { drug: 'methylprednisolone' }));
      actor.send(tick(h(20)));
      const snapshot = actor.getPersistedSnapshot();
      actor.stop();
      return JSON.stringify(snapshot);
    };
    expect(run()).toBe(run());
  });
});
