import { describe, expect, it } from '@jest/globals';
import { initialTransition } from 'xstate';

import type { EpisodeEvent } from '@mas/contracts';
import { deployedProtocolVersion } from '@mas/protocol';
import { ben, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import {
  drAdams,
  drBaker,
  episodeInput,
  ev,
  h,
  prescribedStart,
} from '../spec-support/episode.spec-support.js';
import { explainRefusal } from './mas-episode.explain.js';
import { masEpisodeMachine } from './mas-episode.machine.js';
import {
  leafPaths,
  machineLeaves,
  mappedValue,
  planProblems,
  valueOfLeaves,
} from './mas-episode.migration.js';
import { stepEpisode } from './mas-episode.persistence.js';
import {
  findMigrationPlan,
  type MigrationPlan,
  migrationPlanHash,
} from './migration-plans.js';

type Snapshot = ReturnType<typeof stepEpisode>[0];

const shipped = findMigrationPlan('1.0.0', '1.1.0') as MigrationPlan;

function migrate(
  at: string,
  overrides: Partial<{
    fromVersion: string;
    toVersion: string;
    planHash: string;
  }> = {},
  actor = drBaker,
  rationale: string | null = 'the committee deployed 1.1.0',
): EpisodeEvent {
  return ev(
    'protocol.migrated',
    at,
    {
      fromVersion: '1.0.0',
      toVersion: '1.1.0',
      planHash: migrationPlanHash(shipped),
      ...overrides,
    },
    actor,
    rationale ?? undefined,
  );
}

/** Ben on a pulse, with a first reassessment whose panel lacks LDH. */
function onPulse(protocolVersion?: string): Snapshot {
  let [snapshot] = initialTransition(masEpisodeMachine, {
    ...episodeInput(ben, 'suspected'),
    ...(protocolVersion === undefined ? {} : { protocolVersion }),
  });
  const steps: EpisodeEvent[] = [
    ev('labs.recorded', h(0.5), { panel: panelOf(floridMas, febrileSjia) }),
    prescribedStart(ben, 'methylprednisolone', h(1)),
  ];
  for (const event of steps) [snapshot] = stepEpisode(snapshot, event);
  return snapshot;
}

function withoutLdh(at: string): EpisodeEvent {
  const { ldh: _ldh, ...panel } = panelOf(improved(floridMas));
  return ev('reassessment.recorded', at, { panel }, drAdams);
}

describe('two protocol versions deployed at once', () => {
  it('an episode runs under the version it opened with: 1.1.0 asks LDH of a reassessment panel, 1.0.0 does not', () => {
    const old = onPulse();
    const current = onPulse('1.1.0');
    expect(old.context.protocol).toMatchObject({
      version: '1.0.0',
      hash: deployedProtocolVersion('1.0.0').hash,
    });
    expect(current.context.protocol).toMatchObject({
      version: '1.1.0',
      hash: deployedProtocolVersion('1.1.0').hash,
    });
    const [afterOld] = stepEpisode(old, withoutLdh(h(10)));
    const [afterNew] = stepEpisode(current, withoutLdh(h(10)));
    expect(afterOld.context.missingMonitoringItems).toEqual([]);
    expect(afterNew.context.missingMonitoringItems).toEqual(['ldh']);
    expect(afterNew.context.alerts.map((a) => a.id)).toContain(
      'monitoring-incomplete',
    );
  });

  it('an episode is never opened under a candidate or unknown version', () => {
    for (const protocolVersion of ['9.9.9', '1.1']) {
      const [snapshot] = initialTransition(masEpisodeMachine, {
        ...episodeInput(ben),
        protocolVersion,
      });
      expect(snapshot.status).toBe('error');
      expect(String(snapshot.error)).toContain(
        `protocolVersion: must be a deployed protocol version (1.0.0, 1.1.0), not ${protocolVersion}`,
      );
    }
  });
});

describe('migrating a running episode', () => {
  it('a senior moves it by the shipped plan: the same states, the context carried over, the new identity; later events follow the new rules', () => {
    const before = onPulse();
    const [after, effects] = stepEpisode(before, migrate(h(2)));
    expect(after).not.toBe(before);
    expect(effects).toEqual([]);
    expect(after.value).toEqual(before.value);
    expect(after.context.protocol).toEqual({
      id: 'mas-protocol',
      version: '1.1.0',
      hash: deployedProtocolVersion('1.1.0').hash,
    });
    expect({ ...after.context, protocol: null, now: null }).toEqual({
      ...before.context,
      protocol: null,
      now: null,
    });
    const [reassessed] = stepEpisode(after, withoutLdh(h(10)));
    expect(reassessed.context.missingMonitoringItems).toEqual(['ldh']);
  });

  it.each([
    [
      'a clinician',
      migrate(h(2), {}, drAdams),
      'protocol.migrated is recorded by a senior clinician',
    ],
    [
      'another plan hash',
      migrate(h(2), { planHash: `sha256:${'0'.repeat(64)}` }),
      'is not the proven plan from 1.0.0 to 1.1.0',
    ],
    [
      'a wrong source version',
      migrate(h(2), { fromVersion: '1.1.0', toVersion: '1.0.0' }),
      'the episode runs under protocol version 1.0.0, not 1.1.0',
    ],
    [
      'the same version',
      migrate(h(2), { toVersion: '1.0.0' }),
      'the episode already runs under protocol version 1.0.0',
    ],
    [
      'a version the build does not know',
      migrate(h(2), { toVersion: '2.0.0' }),
      'protocol version 2.0.0 is not one this build knows (1.0.0, 1.1.0)',
    ],
    [
      'no rationale',
      migrate(h(2), {}, drBaker, null),
      'a protocol migration needs a rationale',
    ],
  ])('is refused for %s, with the reason', (_, event, reason) => {
    const before = onPulse();
    const [after] = stepEpisode(before, event);
    expect(after).toBe(before);
    expect(explainRefusal(before, event)?.reason).toContain(reason);
  });

  it('is refused once the episode is closed, and a second move from the old version is refused after the first', () => {
    const before = onPulse();
    const [moved] = stepEpisode(before, migrate(h(2)));
    expect(stepEpisode(moved, migrate(h(3)))[0]).toBe(moved);
    let [excluded] = initialTransition(masEpisodeMachine, episodeInput(ben));
    [excluded] = stepEpisode(
      excluded,
      ev('diagnosis.excluded', h(1), {}, drAdams, 'another diagnosis'),
    );
    expect(excluded.status).toBe('done');
    expect(stepEpisode(excluded, migrate(h(2)))[0]).toBe(excluded);
  });
});

describe('state maps', () => {
  it('leaf paths and values convert both ways', () => {
    const value = onPulse().value;
    const leaves = leafPaths(value);
    expect(leaves).toContain('open.treatment.active.firstLine');
    expect(valueOfLeaves(leaves)).toEqual(value);
    expect(leafPaths('excluded')).toEqual(['excluded']);
    expect(valueOfLeaves(['excluded'])).toBe('excluded');
  });

  it('a plan moves the leaves it lists', () => {
    const plan: MigrationPlan = {
      ...shipped,
      states: {
        'open.treatment.active.firstLine': 'open.treatment.active.escalated',
      },
    };
    const moved = leafPaths(mappedValue(onPulse().value, plan));
    expect(moved).toContain('open.treatment.active.escalated');
    expect(moved).not.toContain('open.treatment.active.firstLine');
    expect(machineLeaves(masEpisodeMachine)).toContain('open.hold.onHold');
  });

  it.each([
    [
      'a target the statechart lacks',
      { 'open.hold.none': 'open.hold.nowhere' },
      'open.hold.nowhere is not a state of the statechart',
    ],
    [
      'a source the statechart lacks',
      { 'open.hold.off': 'open.hold.onHold' },
      'open.hold.off is not a state of the statechart',
    ],
    [
      'a move across regions',
      { 'open.hold.none': 'open.support.active' },
      'open.hold.none -> open.support.active leaves its region (open.hold)',
    ],
    [
      'a move within a state with history',
      { 'open.treatment.active.firstLine': 'open.treatment.active.escalated' },
      'moves within open.treatment.active, which has history',
    ],
    [
      'a target the machine would leave without an event',
      { 'open.reassessment.overdue': 'open.reassessment.onTime' },
      'open.reassessment.onTime has eventless transitions (open.reassessment.onTime)',
    ],
  ])('a state map is refused as written for %s', (_, states, problem) => {
    const problems = planProblems(masEpisodeMachine, { ...shipped, states });
    expect(problems.join('; ')).toContain(problem);
  });

  it('the shipped plans and a move within one region are sound as written', () => {
    expect(planProblems(masEpisodeMachine, shipped)).toEqual([]);
    expect(
      planProblems(masEpisodeMachine, {
        ...shipped,
        states: { 'open.subtype.stills': 'open.subtype.sle' },
      }),
    ).toEqual([]);
  });
});
