import { describe, expect, it } from '@jest/globals';
import { createActor, initialTransition, transition } from 'xstate';

import { ben, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  drBaker,
  episodeInput,
  ev,
  h,
  prescribedStart,
  tick,
} from '../spec-support/episode.spec-support.js';
import { masEpisodeMachine } from './mas-episode.machine.js';
import {
  restoreEpisodeSnapshot,
  stepEpisode,
} from './mas-episode.persistence.js';

describe('persistence', () => {
  it('a persisted snapshot survives JSON and a restart, due times included (no pending timers)', () => {
    const actor = createActor(masEpisodeMachine, {
      input: episodeInput(ben, 'suspected'),
    }).start();
    actor.send(
      ev('labs.recorded', h(0.5), { panel: panelOf(floridMas, febrileSjia) }),
    );
    actor.send(prescribedStart(ben, 'methylprednisolone', h(1)));
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
      actor.send(prescribedStart(ben, 'methylprednisolone', h(1)));
      actor.send(tick(h(20)));
      const snapshot = actor.getPersistedSnapshot();
      actor.stop();
      return JSON.stringify(snapshot);
    };
    expect(run()).toBe(run());
  });

  it("stepEpisode and restoreEpisodeSnapshot give what xstate's transition() and an actor give, refusals and effects included", () => {
    const events = [
      ev('labs.recorded', h(0.5), { panel: panelOf(floridMas, febrileSjia) }),
      // Refused: no request to approve (the same snapshot comes back).
      ev(
        'escalation.approved',
        h(0.6),
        { requestId: 'nothing-requested' },
        drBaker,
      ),
      prescribedStart(ben, 'methylprednisolone', h(1)),
      tick(h(13.5)),
      ev('hold.started', h(14), { reason: 'transfer' }),
      tick(h(40)),
    ];
    let [reference] = initialTransition(
      masEpisodeMachine,
      episodeInput(ben, 'suspected'),
    );
    let stepped = reference;
    let refused = 0;
    let effects = 0;
    for (const event of events) {
      const [next, actions] = transition(masEpisodeMachine, reference, event);
      const [ours, ourEffects] = stepEpisode(stepped, event);
      expect(ourEffects.map((a) => (a as { type: string }).type)).toEqual(
        actions.map((a) => a.type),
      );
      expect(ours === stepped).toBe(next === reference);
      if (next === reference) refused += 1;
      effects += actions.length;
      expect(masEpisodeMachine.getPersistedSnapshot(ours)).toEqual(
        masEpisodeMachine.getPersistedSnapshot(next),
      );
      // A restore through the shared scope equals a restore by an actor.
      const stored = JSON.parse(
        JSON.stringify(masEpisodeMachine.getPersistedSnapshot(ours)),
      ) as ReturnType<typeof masEpisodeMachine.getPersistedSnapshot>;
      const restored = restoreEpisodeSnapshot(stored);
      const byActor = createActor(masEpisodeMachine, {
        input: episodeInput(ben, 'suspected'),
        snapshot: stored,
      }).getSnapshot();
      expect(restored.value).toEqual(byActor.value);
      expect([...restored.tags].sort()).toEqual([...byActor.tags].sort());
      expect(restored.context).toEqual(byActor.context);
      [reference, stepped] = [next, restored];
    }
    expect(refused).toBe(1);
    expect(effects).toBeGreaterThan(0);
  });

  it('a snapshot stored by machine 1.0.0 (before the lab picture and other therapies) is upgraded on restore and goes on', () => {
    const [snapshot] = initialTransition(
      masEpisodeMachine,
      episodeInput(ben, 'suspected'),
    );
    const [treated] = stepEpisode(
      snapshot,
      prescribedStart(ben, 'methylprednisolone', h(1)),
    );
    const stored = JSON.parse(
      JSON.stringify(masEpisodeMachine.getPersistedSnapshot(treated)),
    ) as { context: Record<string, unknown> };
    const {
      otherTherapies: _others,
      labPicture: _picture,
      treatmentBaseline: _baseline,
      treatmentStartedAt: _started,
      ...older
    } = stored.context;
    stored.context = older;
    const restored = restoreEpisodeSnapshot(stored);
    expect(restored.context.otherTherapies).toEqual([]);
    expect(restored.context.labPicture).toEqual({});
    expect(restored.context.treatmentStartedAt).toBe(h(1));
    const [next] = stepEpisode(
      restored,
      ev('labs.recorded', h(2), { panel: panelOf(floridMas, febrileSjia) }),
    );
    expect(next).not.toBe(restored);
    expect(next.context.labPicture.ferritin?.collectedAt).toBe(h(2));
  });
});
