/**
 * The one replay of a history with entries entered in error
 * (`replayEffective`, `historySteps`, `replayProblem`): the voids and the
 * entries they void are never stepped; a later entry resting on the one
 * voided is named with the machine's reason.
 */
import { createSecretKey } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';
import { initialTransition } from 'xstate';

import {
  ENTRY_VOIDED,
  type EpisodeActor,
  parseEpisodeEvent,
} from '@mas/contracts';
import {
  checkEvent,
  type EpisodeSnapshot,
  masEpisodeMachine,
  stepEpisode,
} from '@mas/mas-episode';
import { amira, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import {
  episodeRow,
  exampleProfile,
} from '../../spec-support/api.spec-support.js';
import type { AuditRow, EpisodeRow } from '../database/entities.js';
import { auditEntryFor } from '../episodes/episodes.service.js';
import {
  auditEntryHash,
  chainProblems,
  episodeSeal,
  GENESIS_HASH,
} from './audit-chain.util.js';
import {
  historySteps,
  replayEffective,
  replayProblem,
} from './audit-replay.util.js';

const key = createSecretKey(Buffer.from('k'.repeat(32)));
const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const adams: EpisodeActor = { id: 'dr-adams', role: 'clinician' };
const florid = panelOf(floridMas, febrileSjia);
const persisted = (snapshot: EpisodeSnapshot) =>
  JSON.stringify(masEpisodeMachine.getPersistedSnapshot(snapshot));

type Step =
  | { readonly hours: number; readonly type: string; readonly payload: unknown }
  | { readonly hours: number; readonly voids: number };

/**
 * An episode as the service stores it after `steps`: each event stepped
 * and chained; a void chained as the service writes it, the snapshot then
 * replayed without the entries voided so far.
 */
function episodeAfter(steps: readonly Step[]): {
  row: EpisodeRow;
  chain: AuditRow[];
} {
  const [initial] = initialTransition(masEpisodeMachine, {
    episodeId: 'e1',
    patient: amira,
    openedAt: at(0),
    initialStage: 'suspected',
    profile: exampleProfile,
  }) as [EpisodeSnapshot, unknown];
  const row = episodeRow({
    id: 'e1',
    patientIdentifier: amira.identifier,
    snapshot: persisted(initial),
    initialSnapshot: persisted(initial),
    protocolVersion: initial.context.protocol.version,
    protocolHash: initial.context.protocol.hash,
    profileHash: initial.context.profile.hash,
    version: 0,
  });
  const chain: AuditRow[] = [];
  let snapshot = initial;
  const chained = (entry: Omit<AuditRow, 'id' | 'hash'>) =>
    chain.push({
      ...entry,
      id: `a${String(entry.seq)}`,
      hash: auditEntryHash(key, entry),
    });
  for (const step of steps) {
    const seq = chain.length + 1;
    const prevHash = chain.at(-1)?.hash ?? GENESIS_HASH;
    if ('voids' in step) {
      const replayed = replayEffective(row, chain, { without: step.voids });
      if (replayed?.kind !== 'replayed') throw new Error('not replayed');
      chained({
        ...auditEntryFor({
          episodeId: 'e1',
          seq,
          event: parseEpisodeEvent(
            {
              type: 'clock.ticked',
              at: at(step.hours),
              actor: adams,
              payload: {},
            },
            'void',
          ),
          before: snapshot,
          after: replayed.snapshot,
          check: { reason: 'entered in error', evidence: [] },
          recordedAt: new Date(at(step.hours)),
          prevHash,
        }),
        type: ENTRY_VOIDED,
        payload: JSON.stringify({ seq: step.voids, type: 'labs.recorded' }),
      });
      snapshot = replayed.snapshot;
      continue;
    }
    const event = parseEpisodeEvent(
      {
        type: step.type,
        at: at(step.hours),
        actor: adams,
        payload: step.payload,
      },
      'event',
    );
    const [after] = stepEpisode(snapshot, event);
    if (after === snapshot) throw new Error(`${step.type} refused`);
    chained(
      auditEntryFor({
        episodeId: 'e1',
        seq,
        event,
        before: snapshot,
        after,
        check: checkEvent(snapshot.context, event),
        recordedAt: new Date(at(step.hours)),
        prevHash,
      }),
    );
    snapshot = after;
  }
  row.snapshot = persisted(snapshot);
  row.version = chain.length;
  row.seal = episodeSeal(key, row, chain.at(-1)?.hash ?? null);
  return { row, chain };
}

const labs = (hours: number, panel = florid) => ({
  hours,
  type: 'labs.recorded',
  payload: { panel, collectedAt: at(hours) },
});

describe('replaying a history with entries entered in error', () => {
  it('steps neither the void nor the entry it voids: the record as if never recorded', () => {
    const improvedPanel = panelOf(improved(floridMas), febrileSjia);
    const { row, chain } = episodeAfter([
      labs(1),
      labs(2, improvedPanel),
      { hours: 3, voids: 1 },
    ]);
    const never = episodeAfter([labs(2, improvedPanel)]);
    const replayed = replayEffective(row, chain);
    expect(replayed?.kind).toBe('replayed');
    if (replayed?.kind !== 'replayed') return;
    expect(persisted(replayed.snapshot)).toBe(never.row.snapshot);
    expect(replayed.events.map((event) => event.at)).toEqual([at(2)]);
    // Without the void, the florid panel is there: not the same record.
    const unvoided = replayEffective(row, chain.slice(0, 2));
    expect(
      unvoided?.kind === 'replayed' && persisted(unvoided.snapshot),
    ).not.toBe(never.row.snapshot);
  });

  it('the record rebuilt without the entry verifies, its chain and its replay', () => {
    const { row, chain } = episodeAfter([labs(1), { hours: 3, voids: 1 }]);
    expect(chainProblems(key, 'e1', row, chain)).toEqual([]);
    expect(replayProblem(row, chain)).toBeNull();
    // A void dropped from the replay (or never honoured) is named.
    const stale = { ...row, snapshot: episodeAfter([labs(1)]).row.snapshot };
    expect(replayProblem(stale, chain)?.reason).toBe(
      'the stored snapshot differs from the replay of its audit chain',
    );
  });

  it('names the later entry the machine refuses without the one voided, with its reason', () => {
    const { row, chain } = episodeAfter([
      labs(1),
      { hours: 2, type: 'diagnosis.confirmed', payload: { basis: 'criteria' } },
    ]);
    const without = replayEffective(row, chain, {
      without: 1,
      refusals: true,
    });
    expect(without).toMatchObject({
      kind: 'refused',
      entry: { seq: 2 },
      event: { type: 'diagnosis.confirmed' },
    });
    expect(
      without?.kind === 'refused' && without.reason.length,
    ).toBeGreaterThan(0);
    // Asked not to look for refusals, the replay steps on.
    expect(replayEffective(row, chain, { without: 1 })?.kind).toBe('replayed');
  });

  it('the state at a time: a void reaches only the entries after it was recorded', () => {
    const { row, chain } = episodeAfter([labs(1), { hours: 3, voids: 1 }]);
    const before = [...historySteps(row, chain.slice(0, 1))];
    expect(before.map((step) => step.entry.seq)).toEqual([1]);
    expect(before[0]?.after.context.criteriaMetAt).not.toBeNull();
    expect([...historySteps(row, chain)]).toEqual([]);
  });
});
