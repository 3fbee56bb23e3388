import { describe, expect, it } from '@jest/globals';
import { initialTransition } from 'xstate';

import { masEpisodeMachine, stepEpisode } from '@mas/mas-episode';
import { ben, floridMas, panelOf } from '@mas/testing';

import type { AuditEntry } from '../api/types.js';
import { profile } from '../testing/event-form.testing.js';
import { pinnedRelease } from '../testing/protocol-release.testing.js';
import { replayAudit } from './episode.model.js';

const T0 = '2026-03-01T08:00:00.000Z';
const T1 = '2026-03-01T09:00:00.000Z';
const clinician = { id: 'dr-adams', role: 'clinician' } as const;

/** An audit entry as the API lists it (what the replay reads of it). */
function entry(
  seq: number,
  type: string,
  payload: unknown,
  rationale: string | null = null,
): AuditEntry {
  return {
    id: `00000000-0000-4000-8000-00000000000${String(seq)}`,
    episodeId: '00000000-0000-4000-8000-000000000000',
    seq,
    type,
    payload,
    actorId: clinician.id,
    actorRole: clinician.role,
    occurredAt: T1,
    recordedAt: T1,
    rationale,
    evidence: [],
    guard: { outcome: 'allowed', reason: '' },
    stateBefore: {},
    stateAfter: {},
    protocolHash: null,
    protocolRelease: pinnedRelease,
    profileHash: null,
    prevHash: '',
    hash: '',
  };
}

describe('the audit replayed in the web app (alerts and states per entry)', () => {
  const [initial] = initialTransition(masEpisodeMachine, {
    episodeId: 'e-replay',
    patient: ben,
    openedAt: T0,
    initialStage: 'suspected',
    profile,
  });
  const entries = [
    entry(1, 'labs.recorded', { panel: panelOf(floridMas), collectedAt: T1 }),
    // 1,000 mg daily for 55 kg: within the limits (30 mg/kg, at most 1 g).
    entry(2, 'therapy.started', {
      drug: 'methylprednisolone',
      route: 'iv',
      dose: { value: 1000, unit: 'mg' },
      schedule: { kind: 'daily' },
      givenAt: T1,
    }),
  ];
  const persisted = (snapshot: typeof initial) =>
    JSON.parse(
      JSON.stringify(masEpisodeMachine.getPersistedSnapshot(snapshot)),
    ) as unknown;

  it('from the first snapshot, each entry stepped by this statechart', () => {
    const { replayed } = replayAudit(persisted(initial), entries);
    expect(replayed[1]?.stateIds).toContain(
      'masEpisode.open.treatment.active.firstLine',
    );
  });

  it('taken up where a later statechart took the record over: the entries after it step from the record as stored then', () => {
    // The record as stored after entry 1 (here: MAS excluded, so the
    // start after it is refused and the states stay those of the record).
    const [excluded] = stepEpisode(initial, {
      type: 'diagnosis.excluded',
      at: T1,
      actor: clinician,
      payload: {},
      rationale: 'another diagnosis',
    });
    const { replayed } = replayAudit(persisted(initial), entries, {
      afterEntries: 1,
      snapshot: persisted(excluded),
    });
    expect(replayed[1]?.stateIds).not.toContain(
      'masEpisode.open.treatment.active.firstLine',
    );
    // The record's own states: those of the stored snapshot.
    expect(replayed[1]?.stateIds).toEqual(
      replayAudit(persisted(excluded), []).initialStateIds,
    );
  });

  it("an earlier statechart's entry this one cannot read is shown as recorded, marked, without crashing the page; the entries after the takeover are replayed", () => {
    const [excluded] = stepEpisode(initial, {
      type: 'diagnosis.excluded',
      at: T1,
      actor: clinician,
      payload: {},
      rationale: 'another diagnosis',
    });
    const unknown = { ...entries[0], type: 'legacy.noted' } as AuditEntry;
    const { replayed } = replayAudit(
      persisted(initial),
      [unknown, ...entries.slice(1)],
      { afterEntries: 1, snapshot: persisted(excluded) },
    );
    expect(replayed.map((each) => [each.entry.seq, each.unread])).toEqual([
      [1, true],
      [2, undefined],
    ]);
    expect(replayed[1]?.stateIds).toEqual(
      replayAudit(persisted(excluded), []).initialStateIds,
    );
    // Not taken over: every entry from the unreadable one on is shown
    // unreplayed, none lost.
    const plain = replayAudit(persisted(initial), [
      entries[0] as AuditEntry,
      { ...entries[1], type: 'legacy.noted' } as AuditEntry,
    ]);
    expect(plain.replayed.map((each) => each.unread)).toEqual([
      undefined,
      true,
    ]);
  });
});
