/**
 * The anchored audit against someone who can write the database but does not
 * hold the audit key, on both ENGINES: every way of quietly rewriting the
 * record is named by `GET /api/audit/verify` (and by the episode's own
 * verification), an edited record is never built upon, and what vanished
 * with its episode is shown by a signed checkpoint kept outside the
 * database, checked by `cli audit verify --checkpoint` (the command itself,
 * run as a process against the SQLite file).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect } from '@jest/globals';
import canonicalize from 'canonicalize';

import {
  type Checkpoint,
  ephemeralKeys,
  type EpisodeRow,
  episodeSeal,
  signCheckpoint,
} from '@mas/api';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  ENGINES,
  postgresRequirement,
  runCli,
  signedInSuite,
} from './api-harness.js';
import { labs } from './clinical-records.js';

const pgRequirement = await postgresRequirement();
const florid = panelOf(floridMas, febrileSjia);
const scratch = mkdtempSync(join(tmpdir(), 'mas-audit-tamper-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe.each(ENGINES)('the anchored audit on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['auditor-ames', 'auditor'],
  ]);
  const { maybe, as } = suite;
  const auditor = () => as('auditor-ames');

  /** Records a lab panel on episode `id` at `expectedVersion` (the answer). */
  function recordLabs(id: string, expectedVersion: number) {
    return as('dr-adams').request('POST', `/api/episodes/${id}/events`, {
      type: 'labs.recorded',
      expectedVersion,
      payload: labs(florid, suite.harness.clock.now().toISOString()),
    });
  }

  /** Edits a stored snapshot, as anyone who can write the database can. */
  async function editSnapshot(
    id: string,
    column: 'snapshot' | 'initial_snapshot',
  ): Promise<void> {
    const [row] = (await suite.harness.query(
      `SELECT ${column} AS text FROM episodes WHERE id = ?`,
      [id],
    )) as { text: string }[];
    const stored = row?.text ?? '';
    const edited = stored.replace(/"weightKg":[0-9.]+/, '"weightKg":99');
    expect(edited).not.toBe(stored);
    await suite.harness.query(
      `UPDATE episodes SET ${column} = ? WHERE id = ?`,
      [edited, id],
    );
  }

  /** An episode with `events` accepted lab panels (each an audit entry). */
  async function episodeWith(events: number): Promise<string> {
    const created = await as('dr-adams').request('POST', '/api/episodes', {
      patient: {
        ...amira,
        identifier: `SYN-T-${String(Math.random()).slice(2, 10)}`,
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (let version = 0; version < events; version += 1) {
      suite.harness.clock.advance(60_000);
      expect((await recordLabs(id, version)).status).toBe(201);
    }
    return id;
  }

  /** What the verification says of one episode (every problem's reason). */
  async function reasonsFor(id: string): Promise<string[]> {
    const all = await auditor().request('GET', '/api/audit/verify');
    expect(all.status).toBe(200);
    expect(all.body.ok).toBe(false);
    return (all.body.broken as { episodeId: string; reason: string }[])
      .filter((p) => p.episodeId === id)
      .map((p) => p.reason);
  }

  /** What the whole audit's verification names for episode `id` (maybe nothing). */
  async function brokenFor(id: string): Promise<string[]> {
    const all = await auditor().request('GET', '/api/audit/verify');
    expect(all.status).toBe(200);
    return (all.body.broken as { episodeId: string; reason: string }[])
      .filter((p) => p.episodeId === id)
      .map((p) => p.reason);
  }

  /** A checkpoint issued now (to the auditor), and its body. */
  async function checkpointNow() {
    const checkpoint = await auditor().request('GET', '/api/audit/checkpoint');
    expect(checkpoint.status).toBe(200);
    return checkpoint;
  }

  /** `cli audit verify --checkpoint FILE`, run as a process against the database. */
  function cliVerify(file: string, ...more: string[]) {
    return cliVerifyWith({}, file, ...more);
  }

  /** The same, with more settings (KEYS_DIR). */
  function cliVerifyWith(
    env: Record<string, string>,
    file: string,
    ...more: string[]
  ) {
    return runCli(
      suite.harness,
      ['audit', 'verify', '--checkpoint', file, ...more],
      env,
    );
  }

  /** Puts the whole audit back to verifying: the tampered episodes removed. */
  async function removeEpisode(id: string): Promise<void> {
    await suite.harness.query(
      'DELETE FROM audit_entries WHERE episode_id = ?',
      [id],
    );
    await suite.harness.query('DELETE FROM work_items WHERE episode_id = ?', [
      id,
    ]);
    await suite.harness.query(
      'DELETE FROM rejected_attempts WHERE episode_id = ?',
      [id],
    );
    await suite.harness.query('DELETE FROM episodes WHERE id = ?', [id]);
  }

  maybe('an untouched audit verifies, replay included', async () => {
    await episodeWith(3);
    const verify = await auditor().request(
      'GET',
      '/api/audit/verify?replay=true',
    );
    expect(verify.body).toMatchObject({ ok: true, broken: [] });
    expect(verify.body.entries).toBeGreaterThanOrEqual(3);
  });

  maybe('the last entry deleted: the missing tail is named', async () => {
    const id = await episodeWith(3);
    await suite.harness.query(
      'DELETE FROM audit_entries WHERE episode_id = ? AND seq = 3',
      [id],
    );
    expect(await reasonsFor(id)).toEqual([
      'the chain ends at entry 2 but the episode is at version 3: 1 entries missing at the end',
      expect.stringContaining('does not match its seal'),
    ]);
    const own = await auditor().request(
      'GET',
      `/api/episodes/${id}/audit/verify`,
    );
    expect(own.body).toMatchObject({ ok: false, entries: 2, version: 3 });
    await removeEpisode(id);
  });

  maybe(
    'the tail deleted and the version set back to match: the seal names it',
    async () => {
      const id = await episodeWith(3);
      await suite.harness.query(
        'DELETE FROM audit_entries WHERE episode_id = ? AND seq = 3',
        [id],
      );
      await suite.harness.query(
        'UPDATE episodes SET version = 2 WHERE id = ?',
        [id],
      );
      // The record's seal, and the kept quality facts' own (they were
      // written at version 3).
      expect(await reasonsFor(id)).toEqual([
        expect.stringContaining('episode record does not match its seal'),
        expect.stringContaining('kept quality facts do not match their seal'),
      ]);
      await removeEpisode(id);
    },
  );

  maybe("an episode's whole audit deleted is named", async () => {
    const id = await episodeWith(2);
    await suite.harness.query(
      'DELETE FROM audit_entries WHERE episode_id = ?',
      [id],
    );
    expect(await reasonsFor(id)).toEqual([
      'the episode is at version 2 but its audit chain is missing',
      expect.stringContaining('does not match its seal'),
    ]);
    await removeEpisode(id);
  });

  maybe(
    'history rewritten with every hash recomputed (unkeyed, as before) is named at its first entry',
    async () => {
      const id = await episodeWith(2);
      const rows = (await suite.harness.query(
        'SELECT * FROM audit_entries WHERE episode_id = ? ORDER BY seq',
        [id],
      )) as Record<string, unknown>[];
      let previous = 'sha256:genesis';
      for (const row of rows) {
        const rationale = 'rewritten';
        const hash = `sha256:${createHash('sha256')
          .update(canonicalize({ ...row, rationale, prevHash: previous }) ?? '')
          .digest('hex')}`;
        await suite.harness.query(
          'UPDATE audit_entries SET rationale = ?, prev_hash = ?, hash = ? WHERE id = ?',
          [rationale, previous, hash, row['id']],
        );
        previous = hash;
      }
      const reasons = await reasonsFor(id);
      expect(reasons[0]).toContain('not authenticated with the audit key');
      expect(reasons).toContainEqual(
        expect.stringContaining('does not match its seal'),
      );
      await removeEpisode(id);
    },
  );

  maybe(
    "a protocol version column changed (the quality report's filter) is named: it is not the sealed snapshot's",
    async () => {
      const id = await episodeWith(1);
      await suite.harness.query(
        "UPDATE episodes SET protocol_version = '9.9.9' WHERE id = ?",
        [id],
      );
      expect(await reasonsFor(id)).toEqual([
        expect.stringContaining(
          "protocol version (9.9.9) is not its sealed snapshot's",
        ),
      ]);
      await removeEpisode(id);
    },
  );

  maybe(
    "the board's columns changed (an overdue patient made to look calm) are named, and no event is recorded on the record; untouched, the record and a fresh one verify",
    async () => {
      const id = await episodeWith(1);
      expect(await brokenFor(id)).toEqual([]);
      // Each column set to a value it does not hold.
      const changes: [string, (before: unknown) => unknown][] = [
        [
          'overdue',
          (before) =>
            engine === 'sqlite' ? (before ? 0 : 1) : !(before as boolean),
        ],
        ['urgency', (before) => Number(before) + 7],
        ['alert_ids', (before) => (before === '[]' ? '["x"]' : '[]')],
        ['stage', () => 'Closed'],
        [
          'next_due_at',
          (before) =>
            before === null
              ? engine === 'sqlite'
                ? '2026-01-01 00:00:00.000'
                : new Date('2026-01-01T00:00:00Z')
              : null,
        ],
      ];
      for (const [column, change] of changes) {
        const [before] = (await suite.harness.query(
          `SELECT ${column} AS value FROM episodes WHERE id = ?`,
          [id],
        )) as { value: unknown }[];
        const value = before?.value ?? null;
        await suite.harness.query(
          `UPDATE episodes SET ${column} = ? WHERE id = ?`,
          [change(value), id],
        );
        const reasons = await brokenFor(id);
        await suite.harness.query(
          `UPDATE episodes SET ${column} = ? WHERE id = ?`,
          [value, id],
        );
        expect({ column, reasons }).toEqual({
          column,
          reasons: [expect.stringContaining('board columns')],
        });
      }
      // Put back as it was, it verifies again and takes events.
      expect(await brokenFor(id)).toEqual([]);
      await suite.harness.query(
        'UPDATE episodes SET urgency = urgency + 7 WHERE id = ?',
        [id],
      );
      const sent = await recordLabs(id, 1);
      expect(sent.status).toBe(409);
      expect(sent.body.message).toContain('does not match its seal');
      await removeEpisode(id);
    },
  );

  maybe(
    'on a record changed outside the service nothing is judged: a refusal is not stored as if the episode said so, and the scheduler reports it instead of counting a race',
    async () => {
      const id = await episodeWith(1);
      const rejected = async () =>
        Number(
          (
            (await suite.harness.query(
              'SELECT COUNT(*) AS n FROM rejected_attempts WHERE episode_id = ?',
              [id],
            )) as { n: number | string }[]
          )[0]?.n,
        );
      const stop = () =>
        as('dr-adams').request('POST', `/api/episodes/${id}/events`, {
          type: 'therapy.stopped',
          expectedVersion: 1,
          payload: { drug: 'anakinra' },
        });
      // Untouched, a stop of a therapy never started is refused and kept.
      expect((await stop()).status).toBe(422);
      expect(await rejected()).toBe(1);
      // Due in the past, written outside the service.
      await suite.harness.query(
        'UPDATE episodes SET next_due_at = ? WHERE id = ?',
        [
          engine === 'sqlite'
            ? '2020-01-01 00:00:00.000'
            : new Date('2020-01-01T00:00:00Z'),
          id,
        ],
      );
      const refused = await stop();
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('does not match its seal');
      expect(await rejected()).toBe(1);
      const tick = await suite.harness.service.episodes.tickDue();
      expect(tick.sealBroken).toContain(id);
      expect(tick.raced).toBe(0);
      await removeEpisode(id);
    },
  );

  maybe(
    "a record sealed before the seal covered the board's columns: a column changed since is named by the verification, and the record is not written on (a write would reseal the change and erase it)",
    async () => {
      const id = await episodeWith(1);
      // Sealed the older way, with the audit key, as a version before the
      // board's columns were sealed left it.
      const repository = suite.harness.service.dataSource.getRepository<
        EpisodeRow & { seal: string | null }
      >('Episode');
      const head = (await suite.harness.query(
        'SELECT hash FROM audit_entries WHERE episode_id = ? ORDER BY seq DESC',
        [id],
      )) as { hash: string }[];
      const row = await repository.findOneByOrFail({ id });
      await repository.update(
        { id },
        {
          seal: episodeSeal(
            suite.harness.keys.audit,
            row,
            head[0]?.hash ?? null,
            undefined,
            'before-board',
          ),
        },
      );
      expect(await brokenFor(id)).toEqual([]);
      await suite.harness.query(
        'UPDATE episodes SET urgency = urgency + 7 WHERE id = ?',
        [id],
      );
      expect(await brokenFor(id)).toEqual([
        expect.stringContaining(
          'board columns (urgency) are not those of its sealed snapshot',
        ),
      ]);
      const sent = await recordLabs(id, 1);
      expect(sent.status).toBe(409);
      expect(sent.body.message).toContain('does not match its seal');
      // Nothing written: the change is still there to be named.
      expect(await brokenFor(id)).toHaveLength(1);
      await removeEpisode(id);
    },
  );

  maybe(
    'a due time edited into text no clock can read is named, never a 500',
    async () => {
      const id = await episodeWith(1);
      if (engine === 'sqlite') {
        await suite.harness.query(
          "UPDATE episodes SET next_due_at = 'soon' WHERE id = ?",
          [id],
        );
      } else {
        // PostgreSQL keeps its type: the furthest readable time instead.
        await suite.harness.query(
          "UPDATE episodes SET next_due_at = 'infinity' WHERE id = ?",
          [id],
        );
      }
      expect(await reasonsFor(id)).toEqual([
        expect.stringContaining('does not match its seal'),
      ]);
      expect((await recordLabs(id, 1)).status).toBe(409);
      await removeEpisode(id);
    },
  );

  maybe(
    'an edited snapshot is named, and no event is recorded on it',
    async () => {
      const id = await episodeWith(1);
      await editSnapshot(id, 'snapshot');
      expect(await reasonsFor(id)).toEqual([
        expect.stringContaining('does not match its seal'),
      ]);
      // A restart drops the service's memory of the snapshot it wrote.
      await suite.harness.restart();
      const sent = await recordLabs(id, 1);
      expect(sent.status).toBe(409);
      expect(sent.body.message).toContain('does not match its seal');
      const after = await auditor().request(
        'GET',
        `/api/episodes/${id}/audit/verify`,
      );
      expect(after.body).toMatchObject({ ok: false, entries: 1, version: 1 });
      await removeEpisode(id);
    },
  );

  maybe(
    'with the service warm (it hashed both snapshots on its last write), an edited first or current snapshot is still refused at the next event',
    async () => {
      for (const column of ['initial_snapshot', 'snapshot'] as const) {
        const id = await episodeWith(2);
        await editSnapshot(id, column);
        // No restart: the service still remembers the texts it hashed.
        const sent = await recordLabs(id, 2);
        expect({ column, status: sent.status }).toEqual({
          column,
          status: 409,
        });
        expect(sent.body.message).toContain('does not match its seal');
        expect(await reasonsFor(id)).toEqual([
          expect.stringContaining('does not match its seal'),
        ]);
        await removeEpisode(id);
      }
    },
  );

  maybe(
    'an episode deleted with its whole audit: the signed checkpoint kept outside shows it (cli audit verify --checkpoint)',
    async () => {
      const kept = await episodeWith(2);
      const doomed = await episodeWith(1);
      const checkpoint = await checkpointNow();
      expect(checkpoint.body).toMatchObject({
        format: 'mas-audit-checkpoint/1',
        keyId: expect.stringMatching(/^ed25519:[0-9a-f]{64}$/),
      });
      expect(checkpoint.body.chains).toContainEqual({
        episodeId: kept,
        seq: 2,
        hash: expect.stringMatching(/^hmac-sha256:/),
      });
      // Clinicians do not issue checkpoints.
      expect(
        (await as('dr-adams').request('GET', '/api/audit/checkpoint')).status,
      ).toBe(403);
      const file = join(scratch, `checkpoint-${engine}.json`);
      writeFileSync(file, JSON.stringify(checkpoint.body));
      await removeEpisode(doomed);
      // The database alone cannot tell: the audit of what is left verifies.
      expect(
        (await auditor().request('GET', '/api/audit/verify')).body.ok,
      ).toBe(true);
      // The checkpoint can, and the service refuses none of it.
      const cli = cliVerify(file, '--replay');
      expect({ code: cli.status, stderr: cli.stderr }).toEqual({
        code: 1,
        stderr: '',
      });
      expect(cli.stdout).toContain('signature holds');
      expect(cli.stdout).toContain(
        `episode ${doomed}: the episode is missing, though the checkpoint of ${checkpoint.body.issuedAt as string} lists it with 1 entries`,
      );
      expect(cli.stdout).not.toContain(`episode ${kept}`);
      // With the service's key at hand (KEYS_DIR), the CLI compares it with
      // the file's: a checkpoint signed by any other key (anyone can sign a
      // checkpoint of a rewritten audit with a key of their own) is refused.
      const keysDir = join(scratch, `keys-${engine}`);
      mkdirSync(keysDir, { recursive: true });
      writeFileSync(
        join(keysDir, 'checkpoint-ed25519.pem'),
        suite.harness.keys.checkpoint.privateKey
          .export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      );
      const withKey = (path: string) =>
        cliVerifyWith({ KEYS_DIR: keysDir }, path);
      expect(withKey(file).stdout).toContain("the service's own");
      const {
        format: _format,
        keyId: _keyId,
        signature: _signature,
        publicKey: _publicKey,
        ...content
      } = checkpoint.body as Checkpoint;
      const forged = join(scratch, `forged-${engine}.json`);
      writeFileSync(
        forged,
        JSON.stringify(signCheckpoint(ephemeralKeys().checkpoint, content)),
      );
      const refused = withKey(forged);
      expect(refused.status).toBe(1);
      expect(refused.stdout).toMatch(
        /the checkpoint file cannot be trusted: it is signed by the key ed25519:[0-9a-f]{64}, not by this service's ed25519:[0-9a-f]{64} \(KEYS_DIR\)/,
      );
    },
    180_000,
  );

  maybe(
    'refused attempts are an audit too: one edited or deleted from the middle is named by the verification, one deleted from the end by a signed checkpoint (cli audit verify --checkpoint)',
    async () => {
      const id = await episodeWith(1);
      const stopNothing = async () =>
        (
          await as('dr-adams').request('POST', `/api/episodes/${id}/events`, {
            type: 'therapy.stopped',
            expectedVersion: 1,
            payload: { drug: 'anakinra' },
          })
        ).status;
      // Sent at once: each takes its own place in the chain.
      expect(
        await Promise.all([stopNothing(), stopNothing(), stopNothing()]),
      ).toEqual([422, 422, 422]);
      expect(await brokenFor(id)).toEqual([]);
      const rows = (await suite.harness.query(
        'SELECT id, seq, reason FROM rejected_attempts WHERE episode_id = ? ORDER BY seq',
        [id],
      )) as { id: string; seq: number | string; reason: string }[];
      expect(rows.map((row) => Number(row.seq))).toEqual([1, 2, 3]);
      const [, second] = rows;
      // Edited: named, then put back.
      await suite.harness.query(
        'UPDATE rejected_attempts SET reason = ? WHERE id = ?',
        ['allowed after all', second?.id],
      );
      expect(await brokenFor(id)).toEqual([
        'refused attempt 2: content does not match its authentication code (altered, or written without the audit key)',
      ]);
      const own = await auditor().request(
        'GET',
        `/api/episodes/${id}/audit/verify`,
      );
      expect(own.body.ok).toBe(false);
      await suite.harness.query(
        'UPDATE rejected_attempts SET reason = ? WHERE id = ?',
        [second?.reason, second?.id],
      );
      expect(await brokenFor(id)).toEqual([]);
      // The last one deleted after a checkpoint: the database alone cannot
      // tell; the checkpoint kept outside can.
      const checkpoint = await checkpointNow();
      expect(checkpoint.body.chains).toContainEqual({
        episodeId: id,
        seq: 1,
        hash: expect.stringMatching(/^hmac-sha256:/),
        refused: { seq: 3, mac: expect.stringMatching(/^hmac-sha256:/) },
      });
      const file = join(scratch, `checkpoint-refusals-${engine}.json`);
      writeFileSync(file, JSON.stringify(checkpoint.body));
      await suite.harness.query(
        'DELETE FROM rejected_attempts WHERE episode_id = ? AND seq = 3',
        [id],
      );
      expect(await brokenFor(id)).toEqual([]);
      const cli = cliVerify(file);
      expect({ code: cli.status, stderr: cli.stderr }).toEqual({
        code: 1,
        stderr: '',
      });
      expect(cli.stdout).toContain(
        `episode ${id}: refused attempt 3 is missing, though the checkpoint of ${checkpoint.body.issuedAt as string} recorded it`,
      );
      // One deleted from the middle is named without a checkpoint.
      await suite.harness.query(
        'DELETE FROM rejected_attempts WHERE episode_id = ? AND seq = 1',
        [id],
      );
      expect(await brokenFor(id)).toEqual([
        'refused attempts: sequence gap before 2 (1 deleted)',
      ]);
      await removeEpisode(id);
    },
    180_000,
  );

  maybe(
    "the access log is an audit too: a read hidden by an edit or a deletion from the middle of a user's record is named by the verification, one deleted from the end by a signed checkpoint",
    async () => {
      const id = await episodeWith(1);
      const reader = 'dr-adams';
      for (let n = 0; n < 3; n += 1) {
        suite.harness.clock.advance(1_000);
        expect(
          (await as(reader).request('GET', `/api/episodes/${id}`)).status,
        ).toBe(200);
      }
      const mine = async () =>
        (await suite.harness.query(
          'SELECT id, seq, episode_id AS "episodeId" FROM access_log WHERE actor_id = ? ORDER BY seq',
          [reader],
        )) as { id: string; seq: number | string; episodeId: string | null }[];
      const accessProblems = async () => {
        const all = await auditor().request('GET', '/api/audit/verify');
        expect(all.status).toBe(200);
        return (all.body.broken as { episodeId: string; reason: string }[])
          .filter((p) => p.episodeId === '*')
          .map((p) => p.reason);
      };
      expect(await accessProblems()).toEqual([]);
      const rows = await mine();
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const reads = rows.filter((row) => row.episodeId === id);
      const middle = reads.at(-2);
      const seqOf = (row: { seq: number | string } | undefined) =>
        Number(row?.seq);
      // Edited to point elsewhere: named, then put back.
      await suite.harness.query(
        'UPDATE access_log SET episode_id = NULL WHERE id = ?',
        [middle?.id],
      );
      expect(await accessProblems()).toEqual([
        `access log entry ${String(seqOf(middle))} of ${reader}: content does not match its authentication code (altered, or written without the audit key)`,
      ]);
      await suite.harness.query(
        'UPDATE access_log SET episode_id = ? WHERE id = ?',
        [id, middle?.id],
      );
      expect(await accessProblems()).toEqual([]);
      // The last one deleted after a checkpoint: only the checkpoint shows it.
      const checkpoint = await checkpointNow();
      const heads = checkpoint.body.accessLogs as {
        actorId: string;
        seq: number;
      }[];
      const head = heads.find((h) => h.actorId === reader);
      expect(head?.seq).toBe(seqOf((await mine()).at(-1)));
      const file = join(scratch, `checkpoint-access-${engine}.json`);
      writeFileSync(file, JSON.stringify(checkpoint.body));
      await suite.harness.query(
        'DELETE FROM access_log WHERE actor_id = ? AND seq = ?',
        [reader, head?.seq],
      );
      expect(await accessProblems()).toEqual([]);
      const cli = cliVerify(file);
      expect({ code: cli.status, stderr: cli.stderr }).toEqual({
        code: 1,
        stderr: '',
      });
      expect(cli.stdout).toContain(
        `access log entry ${String(head?.seq)} of ${reader} is missing, though the checkpoint of ${checkpoint.body.issuedAt as string} recorded it`,
      );
      // One deleted from the middle is named without a checkpoint.
      const [first] = reads;
      await suite.harness.query('DELETE FROM access_log WHERE id = ?', [
        first?.id,
      ]);
      expect(await accessProblems()).toEqual([
        `access log of ${reader}: sequence gap before ${String(seqOf(first) + 1)} (1 deleted)`,
      ]);
      // Left as it is, every later test of this suite would see it: the
      // user's record from the gap on is removed with its reads.
      await suite.harness.query('DELETE FROM access_log WHERE actor_id = ?', [
        reader,
      ]);
      await removeEpisode(id);
    },
    180_000,
  );

  maybe(
    'an episode an older statechart wrote: verified without a false "differs", taken over by its next event, replayed from there; the takeover point cannot be moved unseen',
    async () => {
      const id = await episodeWith(2);
      const repository = suite.harness.service.dataSource.getRepository<
        EpisodeRow & { seal: string | null; replayBase?: string | null }
      >('Episode');
      const current = (await repository.findOneByOrFail({ id })).machineVersion;
      // As a previous statechart left it: its steps gave a snapshot this
      // one's replay does not (a context field this one never writes), its
      // record sealed with the audit key, as that version did.
      const row = await repository.findOneByOrFail({ id });
      const stored = JSON.parse(row.snapshot) as {
        context: Record<string, unknown>;
      };
      const older = {
        ...row,
        machineVersion: '0.9.0',
        snapshot: JSON.stringify({
          ...stored,
          context: { ...stored.context, writtenBy: '0.9.0' },
        }),
      };
      const head = async () =>
        (
          (await suite.harness.query(
            'SELECT hash FROM audit_entries WHERE episode_id = ? ORDER BY seq DESC',
            [id],
          )) as { hash: string }[]
        )[0]?.hash ?? null;
      await repository.update(
        { id },
        {
          machineVersion: older.machineVersion,
          snapshot: older.snapshot,
          seal: episodeSeal(suite.harness.keys.audit, older, await head()),
        },
      );
      const replayed = async () => {
        const all = await auditor().request(
          'GET',
          '/api/audit/verify?replay=true',
        );
        expect(all.status).toBe(200);
        const scopes = all.body.replayScopes as {
          episodeId: string;
          scope: string;
        }[];
        return {
          broken: (all.body.broken as { episodeId: string; reason: string }[])
            .filter((p) => p.episodeId === id)
            .map((p) => p.reason),
          scope: scopes.find((s) => s.episodeId === id)?.scope ?? null,
        };
      };
      expect(await replayed()).toEqual({
        broken: [],
        scope: expect.stringMatching(
          /^written under statechart 0\.9\.0; this service runs .*: not replayed/,
        ),
      });
      const own = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}/audit/verify`,
      );
      expect(own.body).toMatchObject({ ok: true, problems: [] });
      expect(own.body.replayScope).toContain('written under statechart 0.9.0');
      // The next event: this statechart takes the record over as stored.
      suite.harness.clock.advance(60_000);
      expect((await recordLabs(id, 2)).status).toBe(201);
      const taken = await repository.findOneByOrFail({ id });
      expect(taken.machineVersion).toBe(current);
      // The replay starts from the record as it was found.
      expect(taken.replayBase).toContain('\\"writtenBy\\":\\"0.9.0\\"');
      expect(await replayed()).toEqual({
        broken: [],
        scope: `replayed from entry 3 on, where statechart ${current} took over from 0.9.0 (to entry 2): the entries before it are verified by their chain and the sealed record, not by replay`,
      });
      // The command says the same, beside the other histories.
      const checkpoint = await checkpointNow();
      const file = join(scratch, `checkpoint-takeover-${engine}.json`);
      writeFileSync(file, JSON.stringify(checkpoint.body));
      const cli = cliVerify(file, '--replay');
      expect({ code: cli.status, stderr: cli.stderr }).toEqual({
        code: 0,
        stderr: '',
      });
      expect(cli.stdout).toMatch(
        /\d+ histories not replayed in full \(their chains and sealed records are verified\):/,
      );
      expect(cli.stdout).toContain(
        `episode ${id}: replayed from entry 3 on, where statechart ${current} took over from 0.9.0 (to entry 2)`,
      );
      // An earlier statechart's entry this one cannot read (here entry 1
      // made a request whose payload it reads otherwise): the state at a
      // time up to the takeover is refused in words, never a 500; after
      // it, still shown; the escalation report says what it cannot list.
      const entries = (await suite.harness.query(
        'SELECT seq, recorded_at FROM audit_entries WHERE episode_id = ? ORDER BY seq',
        [id],
      )) as { seq: number; recorded_at: string | Date }[];
      await suite.harness.query(
        "UPDATE audit_entries SET type = 'escalation.requested', payload = ? WHERE episode_id = ? AND seq = 1",
        ['{"legacyField":1}', id],
      );
      const stateAt = (entry: number) => {
        const recorded = entries.find((each) => each.seq === entry);
        if (!recorded) throw new Error(`no entry ${String(entry)}`);
        const at = new Date(recorded.recorded_at).toISOString();
        return as('dr-adams').request(
          'GET',
          `/api/episodes/${id}/state?at=${encodeURIComponent(at)}`,
        );
      };
      const before = await stateAt(2);
      expect(before.status).toBe(409);
      expect(before.body.message).toContain(
        'the history up to entry 2 was written by an earlier statechart in a form statechart',
      );
      expect(before.body.message).toContain('took over from 0.9.0');
      const after = await stateAt(3);
      expect(after.status).toBe(200);
      expect(after.body.replayedEntries).toBe(1);
      const report = await auditor().request('GET', '/api/escalations');
      expect(report.status).toBe(200);
      expect(
        (report.body as { episodeId: string }[]).filter(
          (row) => row.episodeId === id,
        ),
      ).toEqual([
        expect.objectContaining({
          decision: 'history-not-read',
          seq: 1,
          rationale: expect.stringMatching(
            /^entries 1 to 2 were written by an earlier statechart in a form statechart .* cannot read/,
          ),
        }),
      ]);
      // The takeover point moved back (the whole history "replayed" from
      // the first snapshot again): the seal names it.
      const base = JSON.parse(taken.replayBase ?? '{}') as { seq: number };
      await repository.update(
        { id },
        { replayBase: JSON.stringify({ ...base, seq: 0 }) },
      );
      expect((await replayed()).broken).toEqual(
        expect.arrayContaining([
          expect.stringContaining('does not match its seal'),
        ]),
      );
      await removeEpisode(id);
    },
    // It runs the command (a process that loads the sources), as the
    // other tests that run it: their time, not the 30 s default.
    180_000,
  );

  maybe(
    'a record a later (or unknown) statechart wrote is never stepped by this one: 409, nothing written',
    async () => {
      const id = await episodeWith(1);
      const repository = suite.harness.service.dataSource.getRepository<
        EpisodeRow & { seal: string | null }
      >('Episode');
      const [head] = (await suite.harness.query(
        'SELECT hash FROM audit_entries WHERE episode_id = ? ORDER BY seq DESC',
        [id],
      )) as { hash: string }[];
      for (const machineVersion of ['99.0.0', 'next']) {
        const row = await repository.findOneByOrFail({ id });
        const later = { ...row, machineVersion };
        await repository.update(
          { id },
          {
            machineVersion,
            seal: episodeSeal(
              suite.harness.keys.audit,
              later,
              head?.hash ?? null,
            ),
          },
        );
        const sent = await recordLabs(id, 1);
        expect({ machineVersion, status: sent.status }).toEqual({
          machineVersion,
          status: 409,
        });
        expect(sent.body.message).toContain(
          `the episode was written by statechart ${machineVersion}, not an earlier version`,
        );
        expect((await repository.findOneByOrFail({ id })).machineVersion).toBe(
          machineVersion,
        );
        // Due: the scheduler leaves it to an instance of that version, and
        // does not count it as a race (it would try again every tick).
        const due = await repository.findOneByOrFail({ id });
        const dueAt = new Date('2020-01-01T00:00:00Z');
        await repository.update(
          { id },
          {
            nextDueAt: dueAt,
            seal: episodeSeal(
              suite.harness.keys.audit,
              { ...due, nextDueAt: dueAt },
              head?.hash ?? null,
            ),
          },
        );
        const tick = await suite.harness.service.episodes.tickDue();
        expect(tick.laterStatechart).toContain(id);
        expect(tick.sealBroken).not.toContain(id);
        expect(tick.raced).toBe(0);
        expect((await repository.findOneByOrFail({ id })).version).toBe(
          due.version,
        );
      }
      await removeEpisode(id);
    },
  );

  maybe(
    'a replay base with its seal removed is never resealed by the next event: 409, the forgery still named',
    async () => {
      const id = await episodeWith(1);
      const stored = (await suite.harness.query(
        'SELECT snapshot FROM episodes WHERE id = ?',
        [id],
      )) as { snapshot: string }[];
      const forged = (stored[0]?.snapshot ?? '').replace(
        /"weightKg":[0-9.]+/,
        '"weightKg":99',
      );
      await suite.harness.query(
        'UPDATE episodes SET snapshot = ?, replay_base = ?, seal = NULL WHERE id = ?',
        [
          forged,
          JSON.stringify({
            seq: 1,
            snapshot: forged,
            earlier: [{ machineVersion: '0.9.0', lastSeq: 1 }],
            workItems: [],
          }),
          id,
        ],
      );
      const sent = await recordLabs(id, 1);
      expect(sent.status).toBe(409);
      expect(sent.body.message).toContain('does not match its seal');
      expect(await brokenFor(id)).toEqual([
        expect.stringContaining('not sealed with the audit key'),
      ]);
      await removeEpisode(id);
    },
  );
});
