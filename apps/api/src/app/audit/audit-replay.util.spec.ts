import { createSecretKey } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';
import { initialTransition } from 'xstate';

import { type EpisodeActor, parseEpisodeEvent } from '@mas/contracts';
import {
  checkEvent,
  type EpisodeSnapshot,
  MAS_EPISODE_MACHINE_VERSION,
  masEpisodeMachine,
  restoreEpisodeSnapshot,
  stepEpisode,
} from '@mas/mas-episode';
import { amira, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import {
  episodeRow,
  exampleProfile,
} from '../../spec-support/api.spec-support.js';
import type { AuditRow, EpisodeRow } from '../database/entities.js';
import { derivedColumns } from '../episodes/board-columns.util.js';
import { auditEntryFor } from '../episodes/episodes.service.js';
import type { WorkItemRow } from '../work-items/work-item.entity.js';
import {
  auditEntryHash,
  chainProblems,
  episodeSeal,
  GENESIS_HASH,
  sealForm,
  verifyAll,
} from './audit-chain.util.js';
import {
  historySteps,
  isEarlierMachine,
  recordedEvent,
  replayProblem,
  replayScope,
  storedItemsProblem,
  takeover,
} from './audit-replay.util.js';

const key = createSecretKey(Buffer.from('k'.repeat(32)));
const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const adams: EpisodeActor = { id: 'dr-adams', role: 'clinician' };

const persisted = (snapshot: EpisodeSnapshot) =>
  JSON.stringify(masEpisodeMachine.getPersistedSnapshot(snapshot));

/**
 * An episode with two lab panels recorded, as the service stores it: its
 * row (both snapshots, sealed) and its chain of authenticated entries.
 */
function recordedEpisode(
  id = 'e1',
  panels: readonly (readonly [number, ReturnType<typeof panelOf>])[] = [
    [1, panelOf(floridMas, febrileSjia)],
    [25, panelOf(improved(floridMas), febrileSjia)],
  ],
): { row: EpisodeRow; chain: AuditRow[] } {
  const [initial] = initialTransition(masEpisodeMachine, {
    episodeId: id,
    patient: amira,
    openedAt: at(0),
    initialStage: 'suspected',
    profile: exampleProfile,
  }) as [EpisodeSnapshot, unknown];
  let snapshot = initial;
  const chain: AuditRow[] = [];
  for (const [hours, panel] of panels) {
    const event = parseEpisodeEvent(
      {
        type: 'labs.recorded',
        at: at(hours),
        actor: adams,
        payload: { panel, collectedAt: at(hours) },
      },
      'event',
    );
    const [after] = stepEpisode(snapshot, event);
    const entry = auditEntryFor({
      episodeId: id,
      seq: chain.length + 1,
      event,
      before: snapshot,
      after,
      check: checkEvent(snapshot.context, event),
      recordedAt: new Date(at(hours)),
      prevHash: chain.at(-1)?.hash ?? GENESIS_HASH,
    });
    chain.push({
      ...entry,
      id: `a${String(chain.length + 1)}`,
      hash: auditEntryHash(key, entry),
    });
    snapshot = after;
  }
  const row = episodeRow({
    id,
    patientIdentifier: amira.identifier,
    snapshot: persisted(snapshot),
    initialSnapshot: persisted(initial),
    protocolVersion: initial.context.protocol.version,
    protocolHash: initial.context.protocol.hash,
    profileHash: initial.context.profile.hash,
    version: chain.length,
  });
  row.seal = episodeSeal(key, row, chain.at(-1)?.hash ?? null);
  return { row, chain };
}

describe('replaying an audit chain', () => {
  it('an entry gives back the event it recorded', () => {
    const { chain } = recordedEpisode();
    const event = recordedEvent(chain[0]!);
    expect(event).toMatchObject({
      type: 'labs.recorded',
      at: at(1),
      actor: adams,
      payload: { collectedAt: at(1) },
    });
  });

  it('the chain replayed from the first snapshot gives the stored snapshot', () => {
    const { row, chain } = recordedEpisode();
    expect(replayProblem(row, chain)).toBeNull();
  });

  it('a stored snapshot the chain does not lead to is named', () => {
    const { row, chain } = recordedEpisode();
    for (const entries of [chain.slice(0, 1), [chain[1]!, chain[0]!]]) {
      expect(replayProblem(row, entries)).toEqual({
        episodeId: 'e1',
        seq: null,
        id: null,
        reason:
          'the stored snapshot differs from the replay of its audit chain',
      });
    }
  });

  it('a first snapshot that cannot be restored is named, not thrown', () => {
    const { row, chain } = recordedEpisode();
    expect(
      replayProblem({ ...row, initialSnapshot: '{"value":' }, chain),
    ).toMatchObject({
      episodeId: 'e1',
      reason: expect.stringMatching(/^the chain does not replay: /),
    });
  });

  it('a row written before replayable history (no first snapshot) is not replayed', () => {
    const { row, chain } = recordedEpisode();
    expect(replayProblem({ ...row, initialSnapshot: null }, chain)).toBeNull();
  });
});

describe('verifying every chain', () => {
  it('counts episodes and entries, and an intact audit verifies, replay included', () => {
    const one = recordedEpisode('e1');
    const two = recordedEpisode('e2');
    expect(
      verifyAll(
        key,
        [one.row, two.row],
        [...two.chain, ...one.chain].reverse(),
        replayProblem,
      ),
    ).toEqual({
      ok: true,
      episodes: 2,
      entries: 4,
      refusals: 0,
      unauthenticatedRefusals: 0,
      accessEntries: 0,
      unauthenticatedAccessEntries: 0,
      broken: [],
    });
  });

  it('names a chain whose episode is gone, and a snapshot the replay does not reach', () => {
    const one = recordedEpisode('e1');
    const gone = recordedEpisode('e2');
    const edited = { ...one.row, snapshot: one.row.initialSnapshot ?? '' };
    const result = verifyAll(
      key,
      [edited],
      [...one.chain, ...gone.chain],
      replayProblem,
    );
    expect(result.ok).toBe(false);
    expect(result.broken.map((p) => [p.episodeId, p.reason])).toEqual([
      ['e1', expect.stringContaining('does not match its seal')],
      ['e1', 'the stored snapshot differs from the replay of its audit chain'],
      [
        'e2',
        'an audit chain of 2 entries whose episode is missing (deleted outside the service)',
      ],
    ]);
  });
});

describe('a record sealed before the seal covered the board', () => {
  /** The episode's record with its board columns, sealed the older way. */
  function legacyRecord() {
    const { row, chain } = recordedEpisode();
    Object.assign(
      row,
      derivedColumns(restoreEpisodeSnapshot(JSON.parse(row.snapshot))),
    );
    row.seal = episodeSeal(
      key,
      row,
      chain.at(-1)?.hash ?? null,
      undefined,
      'before-board',
    );
    return { row, chain };
  }

  it('verifies while its board columns are those of its sealed snapshot', () => {
    const { row, chain } = legacyRecord();
    expect(sealForm(key, row, chain.at(-1)?.hash ?? null)).toBe('before-board');
    expect(chainProblems(key, row.id, row, chain)).toEqual([]);
  });

  it('a board column changed since is named with the column, though the older seal does not cover it', () => {
    const { row, chain } = legacyRecord();
    const changes = {
      overdue: !row.overdue,
      urgency: row.urgency + 1,
      alertIds: '["x"]',
      stage: 'Closed',
      tags: '["x"]',
      nextDueAt: new Date(Date.UTC(2030, 0, 1)),
    };
    for (const [column, value] of Object.entries(changes)) {
      const changed = { ...row, [column]: value };
      // The older seal still holds: it never covered the column.
      expect(sealForm(key, changed, chain.at(-1)?.hash ?? null)).toBe(
        'before-board',
      );
      expect(
        chainProblems(key, row.id, changed, chain).map((p) => p.reason),
      ).toEqual([
        `the episode record's board columns (${column}) are not those of its sealed snapshot: changed outside the service (the record was sealed before its seal covered them)`,
      ]);
    }
  });
});

describe("replaying an episode's work items", () => {
  /** A stored item of the episode, opened at `openedSeq`. */
  function item(openedSeq: number, subject: string): WorkItemRow {
    return {
      id: `w-${subject}`,
      episodeId: 'e1',
      episodeKind: 'real',
      patientIdentifier: amira.identifier,
      kind: 'second-senior-approval',
      subject,
      details: '{}',
      requestedBy: 'dr-b',
      dueAt: null,
      createdAt: new Date(T0),
      recordedAt: new Date(T0),
      openedSeq,
      status: 'open',
      doneAt: null,
      doneBy: null,
      resolution: null,
      closedSeq: null,
    };
  }

  it('an item the history does not imply is named, whatever entry it claims (one after the last is not excused: entries and items are read in one state)', () => {
    const { row, chain } = recordedEpisode();
    // What the service wrote: the history's alert items (as the message
    // names the first one missing, add it, until none is).
    // Each column the message names as changed is set to what the audit
    // has, until the items are the history's.
    const stored: WorkItemRow[] = [];
    const columns: Record<string, (value: string) => Partial<WorkItemRow>> = {
      'episode kind': (v) => ({ episodeKind: v as WorkItemRow['episodeKind'] }),
      patient: (v) => ({ patientIdentifier: v }),
      details: (v) => ({ details: v }),
      requester: (v) => ({ requestedBy: v === 'none' ? null : v }),
      'due time': (v) => ({ dueAt: v === 'none' ? null : new Date(v) }),
      time: (v) => ({ createdAt: new Date(v) }),
      'recording time': (v) => ({ recordedAt: new Date(v) }),
      'time done': (v) => ({ doneAt: v === 'none' ? null : new Date(v) }),
    };
    for (let round = 0; round < 200; round += 1) {
      const reason = replayProblem(row, chain, stored)?.reason ?? '';
      const missing =
        /^the work item (\S+) about (\S+) opened at entry (\d+) is missing/.exec(
          reason,
        );
      if (missing) {
        stored.push({
          ...item(Number(missing[3]), missing[2] ?? ''),
          id: `w-${String(stored.length)}`,
          kind: missing[1] as WorkItemRow['kind'],
        });
        continue;
      }
      const changed =
        /^the work item \S+ about (\S+) opened at entry (\d+) has its (episode kind|patient|details|requester|due time|recording time|time done|time) (.*) where the audit has (.*) \(changed outside the service\)$/.exec(
          reason,
        );
      if (!changed) break;
      const at = stored.findIndex(
        (one) =>
          one.subject === changed[1] && one.openedSeq === Number(changed[2]),
      );
      const set = columns[changed[3] ?? ''];
      expect(at >= 0 && set !== undefined).toBe(true);
      stored[at] = { ...stored[at]!, ...set!(changed[5] ?? '') };
    }
    expect(stored.length).toBeGreaterThan(0);
    expect(replayProblem(row, chain, stored)).toBeNull();
    const last = chain.at(-1)?.seq ?? 0;
    expect(
      replayProblem(row, chain, [...stored, item(last + 1, 'later')])?.reason,
    ).toBe(
      `the work item second-senior-approval about later opened at entry ${String(last + 1)} is not one the audit implies (added outside the service)`,
    );
    // Closed "by a later event" that is not there: still open in the audit.
    const [first] = stored;
    expect(
      replayProblem(row, chain, [
        {
          ...first!,
          status: 'done',
          closedSeq: 999_999,
          resolution: 'cleared',
          doneBy: 'nobody',
        },
        ...stored.slice(1),
      ])?.reason,
    ).toContain('but the audit has it open (changed outside the service)');
    expect(
      replayProblem(row, chain, [...stored, item(last, 'forged')])?.reason,
    ).toBe(
      `the work item second-senior-approval about forged opened at entry ${String(last)} is not one the audit implies (added outside the service)`,
    );
  });
});

describe('a record an older statechart wrote', () => {
  /**
   * The episode as a previous machine version left it: its own steps gave a
   * snapshot this version's replay does not (here a context field this one
   * never writes), its record sealed with the key, as that version did.
   */
  function olderRecord() {
    const { row, chain } = recordedEpisode('e1', [
      [1, panelOf(floridMas, febrileSjia)],
      [25, panelOf(improved(floridMas), febrileSjia)],
      [49, panelOf(improved(improved(floridMas)), febrileSjia)],
    ]);
    const written = chain.slice(0, 2);
    // The stored snapshot after two entries, as 2.0.0 wrote it.
    let snapshot = restoreEpisodeSnapshot(
      JSON.parse(row.initialSnapshot ?? ''),
    );
    for (const entry of written) {
      [snapshot] = stepEpisode(snapshot, recordedEvent(entry));
    }
    const persistedThen = JSON.parse(persisted(snapshot)) as {
      context: Record<string, unknown>;
    };
    const older = {
      ...row,
      machineVersion: '2.0.0',
      version: 2,
      snapshot: JSON.stringify({
        ...persistedThen,
        context: { ...persistedThen.context, writtenBy: '2.0.0' },
      }),
    };
    older.seal = episodeSeal(key, older, written.at(-1)?.hash ?? null);
    return { older, written, third: chain[2]! };
  }

  it('is not replayed under this version (its steps may differ), and says so; its seal and chain still hold', () => {
    const { older, written } = olderRecord();
    // Replayed under this version, the faithful record would "differ".
    expect(
      replayProblem(
        { ...older, machineVersion: MAS_EPISODE_MACHINE_VERSION },
        written,
      )?.reason,
    ).toBe('the stored snapshot differs from the replay of its audit chain');
    expect(replayProblem(older, written)).toBeNull();
    expect(chainProblems(key, 'e1', older, written)).toEqual([]);
    expect(replayScope(older)?.scope).toMatch(
      new RegExp(
        `^written under statechart 2\\.0\\.0; this service runs ${MAS_EPISODE_MACHINE_VERSION.replaceAll('.', '\\.')}, whose steps may differ: not replayed`,
      ),
    );
  });

  it('taken over at its next write: replayed from the record as stored then, and a later change is named again', () => {
    const { older, written, third } = olderRecord();
    const taken = takeover(older, 2, [], true);
    expect(taken).toMatchObject({
      machineVersion: MAS_EPISODE_MACHINE_VERSION,
    });
    // What the write path stores: the third entry stepped from the record.
    const [after] = stepEpisode(
      restoreEpisodeSnapshot(JSON.parse(older.snapshot)),
      recordedEvent(third),
    );
    const row = {
      ...older,
      ...taken,
      version: 3,
      snapshot: persisted(after),
    };
    const chain = [...written, third];
    row.seal = episodeSeal(key, row, third.hash);
    expect(chainProblems(key, 'e1', row, chain)).toEqual([]);
    expect(replayProblem(row, chain)).toBeNull();
    expect(replayScope(row)?.scope).toBe(
      `replayed from entry 3 on, where statechart ${MAS_EPISODE_MACHINE_VERSION} took over from 2.0.0 (to entry 2): the entries before it are verified by their chain and the sealed record, not by replay`,
    );
    // The replay still reads what follows the base: a snapshot the third
    // entry does not lead to is named.
    expect(
      replayProblem({ ...row, snapshot: older.snapshot }, chain)?.reason,
    ).toBe('the stored snapshot differs from the replay of its audit chain');
    // A written-again base or a base removed (the whole history replayed,
    // where 2.0.0's steps differ) breaks the seal.
    for (const replayBase of [
      null,
      JSON.stringify({
        seq: 0,
        snapshot: older.snapshot,
        earlier: [],
        workItems: [],
      }),
    ]) {
      expect(sealForm(key, { ...row, replayBase }, third.hash)).toBeNull();
    }
    // Nothing to take over under the same version.
    expect(takeover(row, 3, [], true)).toBeNull();
  });

  it('a second takeover keeps the versions that wrote before it, oldest first', () => {
    const { older } = olderRecord();
    const once = {
      ...older,
      ...takeover(older, 2, [], true),
      machineVersion: '2.0.5',
    };
    const twice = takeover(once, 7, [], true);
    expect(JSON.parse(twice?.replayBase ?? '{}')).toMatchObject({
      seq: 7,
      earlier: [
        { machineVersion: '2.0.0', lastSeq: 2 },
        { machineVersion: '2.0.5', lastSeq: 7 },
      ],
    });
    expect(replayScope({ ...once, ...twice })?.scope).toContain(
      'took over from 2.0.0 (to entry 2), 2.0.5 (to entry 7)',
    );
  });

  it('a record without a seal (older rows, or its seal removed) gets no replay base: its whole history is still replayed, an edited snapshot named', () => {
    const { older } = olderRecord();
    expect(takeover({ ...older, seal: null } as never, 2, [], false)).toEqual({
      machineVersion: MAS_EPISODE_MACHINE_VERSION,
      replayBase: null,
    });
  });

  it('only an earlier statechart is taken over: not a later one, nor a version it cannot read', () => {
    const [major = 0, minor = 0] =
      MAS_EPISODE_MACHINE_VERSION.split('.').map(Number);
    expect(isEarlierMachine('1')).toBe(major > 1);
    expect(isEarlierMachine(`${String(major)}.${String(minor)}`)).toBe(false);
    expect(isEarlierMachine(MAS_EPISODE_MACHINE_VERSION)).toBe(false);
    expect(isEarlierMachine(`${String(major + 1)}.0.0`)).toBe(false);
    expect(isEarlierMachine(`${String(major)}.${String(minor + 1)}`)).toBe(
      false,
    );
    expect(isEarlierMachine('0.9.0')).toBe(true);
    for (const unknown of ['', 'x', '2.0.0-beta', '1.2.3.4', ' 1.0.0']) {
      expect(isEarlierMachine(unknown)).toBe(false);
    }
  });

  it("the work items stored at the takeover are the replay's start: one deleted, closed or added before it is named", () => {
    const { older, written, third } = olderRecord();
    const item: WorkItemRow = {
      id: 'w-1',
      episodeId: 'e1',
      episodeKind: 'real',
      patientIdentifier: amira.identifier,
      // (An alert's item: the stored snapshot has no pending request, and
      // an approval of none would be named at the takeover itself.)
      kind: 'alert',
      subject: 'req-1',
      details: '{}',
      requestedBy: 'dr-b',
      dueAt: null,
      createdAt: new Date(T0),
      recordedAt: new Date(T0),
      openedSeq: 1,
      status: 'open',
      doneAt: null,
      doneBy: null,
      resolution: null,
      closedSeq: null,
    };
    const taken = takeover(older, 2, [item], true);
    const [after] = stepEpisode(
      restoreEpisodeSnapshot(JSON.parse(older.snapshot)),
      recordedEvent(third),
    );
    const row = { ...older, ...taken, version: 3, snapshot: persisted(after) };
    const chain = [...written, third];
    expect(replayProblem(row, chain, [item])).toBeNull();
    expect(replayProblem(row, chain, [])?.reason).toBe(
      'the work item alert about req-1 opened at entry 1 is missing (deleted outside the service)',
    );
    expect(
      replayProblem(row, chain, [
        { ...item, status: 'done', closedSeq: 2, resolution: 'cleared' },
      ])?.reason,
    ).toContain('but the audit has it open (changed outside the service)');
    expect(
      replayProblem(row, chain, [item, { ...item, id: 'w-2', subject: 'x' }])
        ?.reason,
    ).toBe(
      'the work item alert about x opened at entry 1 is not one the audit implies (added outside the service)',
    );
  });

  it("a reader's replay (state at a time, escalation decisions) takes up the record at the base: the steps after it are the record's own", () => {
    const { older, written, third } = olderRecord();
    const row = { ...older, ...takeover(older, 2, [], true) };
    const steps = [...historySteps(row, [...written, third])];
    expect(steps.map((step) => [step.entry.seq, step.readAnew])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    // Entry 3 is stepped from the record as stored then (which carries
    // what the earlier statechart wrote), not from this one's reading.
    expect(steps[2]?.before.context).toHaveProperty('writtenBy', '2.0.0');
    expect(steps[1]?.after.context).not.toHaveProperty('writtenBy');
    // Without a base: every step this statechart's own, from the first;
    // a record no later statechart took over yet is read anew throughout.
    const plain = [
      ...historySteps(
        {
          ...older,
          replayBase: null,
          machineVersion: MAS_EPISODE_MACHINE_VERSION,
        },
        written,
      ),
    ];
    expect(plain.map((step) => step.readAnew)).toEqual([false, false]);
    expect(
      [...historySteps({ ...older, replayBase: null }, written)].map(
        (step) => step.readAnew,
      ),
    ).toEqual([true, true]);
    // With no first snapshot, the history starts at the base.
    expect(
      [
        ...historySteps({ ...row, initialSnapshot: null }, [...written, third]),
      ].map((step) => step.entry.seq),
    ).toEqual([3]);
  });

  it("an earlier statechart's entry this one cannot read ends the reading anew, never the reader: the history goes on at the base; an own entry that does not step is still an error", () => {
    const { older, written, third } = olderRecord();
    const row = { ...older, ...takeover(older, 2, [], true) };
    const [first, second] = written;
    if (!first || !second) throw new Error('two entries written');
    // Entry 1 as an earlier statechart could have written it: an event
    // this one no longer knows.
    const unknown = { ...first, type: 'legacy.noted', payload: '{}' };
    expect(() => recordedEvent(unknown)).toThrow();
    const steps = [...historySteps(row, [unknown, second, third])];
    expect(steps.map((step) => step.entry.seq)).toEqual([3]);
    expect(steps[0]?.before.context).toHaveProperty('writtenBy', '2.0.0');
    // Not taken over yet: nothing is read, nothing thrown.
    expect([
      ...historySteps({ ...older, replayBase: null }, [unknown, second]),
    ]).toEqual([]);
    // This statechart's own entry that does not read is not passed over.
    expect(() => [
      ...historySteps(row, [first, second, { ...third, type: 'legacy.noted' }]),
    ]).toThrow();
  });
});

describe("an earlier statechart's work items, held against its stored snapshot (storedItemsProblem)", () => {
  const [initial] = initialTransition(masEpisodeMachine, {
    episodeId: 'e-items',
    patient: amira,
    openedAt: at(0),
    initialStage: 'suspected',
    profile: exampleProfile,
  }) as [EpisodeSnapshot, unknown];
  /** The stored snapshot with these requests and starts (and status). */
  const stored = (
    context: Record<string, unknown>,
    status: 'active' | 'done' = 'active',
  ) => {
    const persistedSnapshot = JSON.parse(persisted(initial)) as {
      context: Record<string, unknown>;
      status: string;
    };
    return JSON.stringify({
      ...persistedSnapshot,
      status,
      context: { ...persistedSnapshot.context, ...context },
    });
  };
  const senior: EpisodeActor = { id: 'dr-baker', role: 'senior-clinician' };
  const request = (requestId: string, status: string) => ({
    requestId,
    drug: 'etoposide',
    requestedBy: senior,
    requestedAt: at(1),
    rationale: 'worse',
    evidence: [],
    status,
  });
  const start = (id: string, countersigned: boolean) => ({
    id,
    drug: 'ruxolitinib',
    startedBy: senior,
    startedAt: at(2),
    rationale: 'collapse',
    ...(countersigned
      ? {
          countersignedBy: { id: 'dr-chen', role: 'senior-clinician' },
          countersignedAt: at(3),
        }
      : {}),
  });
  const item = (kind: string, subject: string, status = 'open') =>
    ({ kind, subject, status }) as Pick<
      WorkItemRow,
      'kind' | 'subject' | 'status'
    >;

  it('the items the record calls for: none missing, none forged', () => {
    const snapshot = stored({
      escalationRequests: [request('r1', 'pending'), request('r0', 'approved')],
      emergencyStarts: [
        start('ruxolitinib-1', false),
        start('ruxolitinib-0', true),
      ],
    });
    expect(
      storedItemsProblem(snapshot, [
        item('second-senior-approval', 'r1'),
        item('second-senior-approval', 'r0', 'done'),
        item('countersignature', 'ruxolitinib-1'),
        item('countersignature', 'ruxolitinib-0', 'done'),
        item('alert', 'anything-standing-or-not'),
      ]),
    ).toBeNull();
  });

  it('a pending request or an uncountersigned emergency start without its open item is named', () => {
    const snapshot = stored({
      escalationRequests: [request('r1', 'pending')],
      emergencyStarts: [start('ruxolitinib-1', false)],
    });
    expect(
      storedItemsProblem(snapshot, [item('countersignature', 'ruxolitinib-1')]),
    ).toBe(
      'the pending escalation request r1 (etoposide) has no open second-senior approval (deleted or closed outside the service, or made before work items were kept)',
    );
    expect(
      storedItemsProblem(snapshot, [
        item('second-senior-approval', 'r1'),
        item('countersignature', 'ruxolitinib-1', 'done'),
      ]),
    ).toBe(
      'the emergency start ruxolitinib-1 (ruxolitinib) has no open countersignature (deleted or closed outside the service, or made before work items were kept)',
    );
  });

  it('an open item the record does not call for is named: an approval of a decided request, a countersignature of a countersigned start, anything once the episode ended', () => {
    const snapshot = stored({
      escalationRequests: [request('r0', 'approved')],
      emergencyStarts: [start('ruxolitinib-0', true)],
    });
    expect(
      storedItemsProblem(snapshot, [item('second-senior-approval', 'r0')]),
    ).toBe(
      'the work item second-senior-approval about r0 is open, but the stored record does not call for it (added or reopened outside the service)',
    );
    expect(
      storedItemsProblem(snapshot, [item('countersignature', 'ruxolitinib-0')]),
    ).toContain('countersignature about ruxolitinib-0 is open');
    const ended = stored(
      { escalationRequests: [request('r1', 'pending')] },
      'done',
    );
    expect(storedItemsProblem(ended, [])).toBeNull();
    expect(storedItemsProblem(ended, [item('alert', 'x')])).toBe(
      'the work item alert about x is open, but the stored record does not call for it (added or reopened outside the service)',
    );
  });

  it('an emergency start the earliest statecharts kept without an id is not named (it has no item to name)', () => {
    const { id: _none, ...withoutId } = start('x', false);
    expect(
      storedItemsProblem(stored({ emergencyStarts: [withoutId] }), []),
    ).toBeNull();
  });

  it('a snapshot that does not restore is left to its seal', () => {
    expect(storedItemsProblem('{not json', [item('alert', 'x')])).toBeNull();
  });
});
