/**
 * `npm run bench:api`: the API over HTTP at 1, 16 and 64 concurrent clients
 * (throughput, p99, how busy and how blocked the server's event loop was),
 * beside two bare node:http handlers without the framework: "bare SQL" (the
 * same statements, no statechart) and "bare machine" (the same transaction
 * as the service, statechart step included), and the ratios; for SQLite at
 * synchronous=NORMAL and FULL, the handlers taking turns over rounds. Then:
 * 10,000 open episodes, first page of GET /api/episodes (p99), and restart
 * to ready. Prints figures; asserts nothing.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import Database from 'better-sqlite3';

import {
  auditEntryFor,
  auditEntryHash,
  DEFAULT_GROUP_COMMIT_MAX,
  derivedColumns,
  ephemeralKeys,
  episodeSeal,
  GENESIS_HASH,
  loadConfiguration,
  ManualClock,
  SnapshotDigests,
  startService,
  WriteGate,
} from '@mas/api';
import type { EpisodeEvent } from '@mas/contracts';
import {
  checkEvent,
  masEpisodeMachine,
  restoreEpisodeSnapshot,
  stepEpisode,
} from '@mas/mas-episode';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import { post } from './bench-http.js';
import { exampleProfile } from './example-profile.js';
import {
  type BareEpisodeRow,
  cells,
  drive,
  type Figures,
  fixed,
  fixedAuditEntry,
  median,
  percentile,
  ratios,
} from './load.js';

/** The service's keys for every run (the rows are sealed with them). */
const benchKeys = ephemeralKeys();

const SECONDS_PER_LEVEL = Number(process.env['BENCH_SECONDS'] ?? 2);
/**
 * Every handler first runs this long, unmeasured, so that no figure includes
 * the JIT's warm-up (the first level measured would).
 */
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 2);
/** `BENCH_LEVELS=16` and `BENCH_SYNC=NORMAL` narrow a run further. */
/** Clients of the warm-up run (not reported). */
const WARMUP_CLIENTS = 4;
/**
 * Rounds: in each, every handler runs every level in turn, so that a drift of
 * this shared machine's speed hits them alike; a ratio is the median of the
 * rounds' paired ratios.
 */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const LEVELS = (process.env['BENCH_LEVELS'] ?? '1,16,64')
  .split(',')
  .map(Number);
const SYNCS = (process.env['BENCH_SYNC'] ?? 'NORMAL,FULL').split(',') as (
  'NORMAL' | 'FULL'
)[];
/**
 * `BENCH_PARTS=api,alone,bare,machine,list` (default: all) narrows the run,
 * e.g. for a CPU profile; `alone` is the API with each write committed on
 * its own (`SQLITE_GROUP_COMMIT_MAX=1`), the service before group commit.
 */
const PARTS = new Set(
  (process.env['BENCH_PARTS'] ?? 'api,alone,bare,machine,list').split(','),
);
const profile = exampleProfile();
const panel = panelOf(floridMas, febrileSjia);

/** The service's clock in the bench (fixed): the bare handlers use it too. */
const BENCH_NOW = new Date('2026-03-01T08:00:00Z');
/** The event every client sends: a lab panel with its sample time. */
const labsPayload = { panel, collectedAt: BENCH_NOW.toISOString() };
/** A time as TypeORM writes it to SQLite (`YYYY-MM-DD HH:MM:SS.SSS`, UTC). */
const sqliteTime = (date: Date) =>
  date.toISOString().replace('T', ' ').replace('Z', '');

/**
 * The service on a SQLite file, scheduler off, clock fixed; `groupMax`
 * writes at most share a commit (1: each its own).
 */
function startOn(
  file: string,
  synchronous: 'NORMAL' | 'FULL',
  groupMax = DEFAULT_GROUP_COMMIT_MAX,
) {
  return startService({
    config: loadConfiguration({
      PORT: '0',
      SQLITE_PATH: file,
      SQLITE_SYNCHRONOUS: synchronous,
      SQLITE_GROUP_COMMIT_MAX: String(groupMax),
      SCHEDULER_INTERVAL_MS: '0',
    }),
    clock: new ManualClock(BENCH_NOW),
    profile,
    keys: benchKeys,
  });
}

/**
 * One handler under test: `run` drives `clients` fresh episodes (their own
 * for this round) for `seconds` and gives the figures.
 */
interface Contender {
  run(clients: number, round: number, seconds: number): Promise<Figures>;
  close(): Promise<void>;
}

/** A password the policy takes (none of the username in it). */
const BENCH_PASSWORD = 'correct horse battery staple';

async function apiContender(
  synchronous: 'NORMAL' | 'FULL',
  dir: string,
  groupMax = DEFAULT_GROUP_COMMIT_MAX,
): Promise<Contender> {
  const service = await startOn(
    join(dir, `api-${synchronous}-${String(groupMax)}.sqlite`),
    synchronous,
    groupMax,
  );
  const gate = WriteGate.for(service.dataSource);
  await service.users.create('bench', BENCH_PASSWORD, 'clinician');
  const token = (
    await post(`${service.url}/api/auth/login`, {
      username: 'bench',
      password: BENCH_PASSWORD,
    })
  ).json.token as string;
  return {
    async run(clients, _round, seconds) {
      const episodes = await Promise.all(
        Array.from({ length: clients }, async () => {
          const created = await post(
            `${service.url}/api/episodes`,
            { patient: amira },
            token,
          );
          return created.json.id as string;
        }),
      );
      const before = { ...gate.committed };
      const figures = await drive(
        episodes.map((id) => ({
          url: `${service.url}/api/episodes/${id}/events`,
          body: { type: 'labs.recorded', payload: labsPayload },
          version: 0,
        })),
        {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
        seconds,
      );
      return {
        ...figures,
        writesPerCommit:
          (gate.committed.writes - before.writes) /
          (gate.committed.transactions - before.transactions),
      };
    },
    close: () => service.close(),
  };
}

/**
 * The same database transaction in a bare node:http handler: the service's
 * own tables, indexes and rows (schema made by its migrations, episodes
 * created by it), and the same statements (read the episode, versioned
 * update of the same columns, read the chain's last entry, insert an audit
 * entry of the same size with its hash), prepared once; no framework, no
 * statechart, no validation, no authentication.
 */
async function bareContender(
  synchronous: 'NORMAL' | 'FULL',
  dir: string,
  withMachine: boolean,
): Promise<Contender> {
  const file = join(
    dir,
    `bare-${withMachine ? 'machine-' : ''}${synchronous}.sqlite`,
  );
  const service = await startOn(file, synchronous);
  const user = { id: 'bench', username: 'bench', role: 'clinician' as const };
  // Episodes made by the service ahead, per round (the warm-up is -1) and
  // client count, so that every run starts from fresh episodes.
  const ids = new Map<string, string[]>();
  for (let round = -1; round < ROUNDS; round += 1) {
    for (const clients of round < 0 ? [WARMUP_CLIENTS] : LEVELS) {
      const level: string[] = [];
      for (let i = 0; i < clients; i += 1) {
        const created = (await service.episodes.create(
          { patient: amira },
          user,
        )) as { id: string };
        level.push(created.id);
      }
      ids.set(`${String(round)}/${String(clients)}`, level);
    }
  }
  await service.close();

  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  const read = db.prepare('SELECT * FROM episodes WHERE id = ?');
  const update = db.prepare(
    `UPDATE episodes SET snapshot = ?, stage = ?, tags = ?, alert_ids = ?, overdue = ?,
       urgency = ?, next_due_at = ?, version = ?, updated_at = ?, seal = ? WHERE id = ? AND version = ?`,
  );
  const last = db.prepare(
    'SELECT seq, hash FROM audit_entries WHERE episode_id = ? ORDER BY seq DESC LIMIT 1',
  );
  const insert = db.prepare(
    `INSERT INTO audit_entries (id, episode_id, seq, type, payload, actor_id, actor_role,
       occurred_at, recorded_at, rationale, evidence, guard, state_before, state_after,
       protocol_hash, profile_hash, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const sqlOnly = db.transaction(
    (id: string, version: number, payload: string): number => {
      const row = read.get(id) as BareEpisodeRow | undefined;
      if (!row || row.version !== version) return 409;
      const now = sqliteTime(BENCH_NOW);
      update.run(
        row.snapshot,
        row.stage,
        row.tags,
        row.alert_ids,
        0,
        row.urgency,
        null,
        version + 1,
        now,
        createHmac('sha256', benchKeys.audit)
          .update(row.snapshot)
          .digest('hex'),
        id,
        version,
      );
      const previous = last.get(id) as
        { seq: number; hash: string } | undefined;
      const [entry, hash] = fixedAuditEntry(benchKeys.audit, {
        id,
        previous,
        payload,
        now,
        row,
      });
      insert.run(...entry, hash);
      return 201;
    },
  );
  /**
   * The same transaction as the service's, without the framework: the
   * machine restored from the stored snapshot and stepped, the new snapshot
   * and the board's columns written, the audit entry with the machine's guard
   * reason and evidence and its chained hash (the service's own functions);
   * no Nest, no Fastify, no TypeORM, no validation, no authentication.
   */
  const recent = new Map<
    string,
    { version: number; snapshot: ReturnType<typeof restoreEpisodeSnapshot> }
  >();
  // As the service: a snapshot's SHA-256 for the seals reused only for the
  // identical text.
  const digests = new SnapshotDigests(1000);
  const machineStep = db.transaction(
    (id: string, version: number, payload: string): number => {
      const stored = read.get(id) as Record<string, unknown> | undefined;
      if (!stored || stored['version'] !== version) return 409;
      const row = {
        id,
        kind: stored['kind'] as 'real',
        patientIdentifier: stored['patient_identifier'] as string,
        snapshot: stored['snapshot'] as string,
        initialSnapshot: stored['initial_snapshot'] as string | null,
        version,
        protocolHash: stored['protocol_hash'] as string,
        profileHash: stored['profile_hash'] as string,
        machineVersion: stored['machine_version'] as string,
        createdAt: new Date(`${stored['created_at'] as string}Z`),
        seal: stored['seal'] as string | null,
        openedBy: stored['opened_by'] as string | null,
        // The board's columns, sealed with the record.
        stage: stored['stage'] as string,
        tags: stored['tags'] as string,
        alertIds: stored['alert_ids'] as string,
        overdue: stored['overdue'] === 1,
        urgency: stored['urgency'] as number,
        nextDueAt:
          stored['next_due_at'] === null
            ? null
            : new Date(`${stored['next_due_at'] as string}Z`),
      };
      // The service's (fixed) time: the same state as the service steps.
      const now = BENCH_NOW;
      const event = {
        type: 'labs.recorded',
        at: now.toISOString(),
        actor: { id: 'bench', role: 'clinician' },
        payload: JSON.parse(payload) as unknown,
      } as EpisodeEvent;
      const previous = last.get(id) as
        { seq: number; hash: string } | undefined;
      // As the service: the record checked against its seal before it is
      // judged or built upon.
      if (
        episodeSeal(benchKeys.audit, row, previous?.hash ?? null, digests) !==
        row.seal
      )
        return 409;
      // As the service: the snapshot it wrote last, if the row is still at
      // that version; else the stored one, restored.
      const kept = recent.get(id);
      const before =
        kept?.version === row.version
          ? kept.snapshot
          : restoreEpisodeSnapshot(JSON.parse(row.snapshot));
      const [after] = stepEpisode(before, event);
      if (after === before) return 422;
      const check = checkEvent(before.context, event);
      const derived = derivedColumns(after);
      const entry = auditEntryFor({
        episodeId: id,
        seq: (previous?.seq ?? 0) + 1,
        event,
        before,
        after,
        check,
        recordedAt: now,
        prevHash: previous?.hash ?? GENESIS_HASH,
      });
      const hash = auditEntryHash(benchKeys.audit, entry);
      const snapshot = JSON.stringify(
        masEpisodeMachine.getPersistedSnapshot(after),
      );
      update.run(
        snapshot,
        derived.stage,
        derived.tags,
        derived.alertIds,
        derived.overdue ? 1 : 0,
        derived.urgency,
        derived.nextDueAt ? sqliteTime(derived.nextDueAt) : null,
        version + 1,
        sqliteTime(now),
        episodeSeal(
          benchKeys.audit,
          { ...row, ...derived, snapshot, version: version + 1 },
          hash,
          digests,
        ),
        id,
        version,
      );
      insert.run(
        randomUUID(),
        id,
        entry.seq,
        entry.type,
        entry.payload,
        entry.actorId,
        entry.actorRole,
        sqliteTime(now),
        sqliteTime(now),
        null,
        entry.evidence,
        entry.guard,
        entry.stateBefore,
        entry.stateAfter,
        entry.protocolHash,
        entry.profileHash,
        entry.prevHash,
        hash,
      );
      recent.set(id, { version: version + 1, snapshot: after });
      return 201;
    },
  );
  const apply = withMachine ? machineStep : sqlOnly;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { id, expectedVersion, payload } = JSON.parse(body) as {
        id: string;
        expectedVersion: number;
        payload: unknown;
      };
      const status = apply(id, expectedVersion, JSON.stringify(payload));
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ version: expectedVersion + 1 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}/events`;
  return {
    run: (clients, round, seconds) =>
      drive(
        (ids.get(`${String(round)}/${String(clients)}`) ?? []).map((id) => ({
          url,
          body: { id, payload: labsPayload },
          version: 0,
        })),
        { 'content-type': 'application/json' },
        seconds,
      ),
    close: async () => {
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      db.close();
    },
  };
}

async function benchListAndRestart(dir: string) {
  const config = loadConfiguration({
    PORT: '0',
    SQLITE_PATH: join(dir, 'many.sqlite'),
    SCHEDULER_INTERVAL_MS: '0',
  });
  const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
  let service = await startService({ config, clock, profile, keys: benchKeys });
  await service.users.create('bench', BENCH_PASSWORD, 'clinician');
  const user = { id: 'bench', username: 'bench', role: 'clinician' as const };
  const seedStart = performance.now();
  for (let i = 0; i < 10_000; i += 1) {
    await service.episodes.create(
      { patient: { ...amira, identifier: `SYN-BENCH-${i}` } },
      user,
    );
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const token = (
    await post(`${service.url}/api/auth/login`, {
      username: 'bench',
      password: BENCH_PASSWORD,
    })
  ).json.token as string;
  const latencies: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const start = performance.now();
    const response = await fetch(
      `${service.url}/api/episodes?page=1&pageSize=25`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    await response.json();
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  await service.close();
  const restartStart = performance.now();
  service = await startService({ config, clock, profile, keys: benchKeys });
  const restartSeconds = (performance.now() - restartStart) / 1000;
  await service.close();
  return {
    seedSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    restartSeconds,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'mas-bench-'));
try {
  console.log(
    `API vs bare node:http handlers (SQLite; labs.recorded events, one fresh episode per client; ${String(ROUNDS)} rounds of ${String(SECONDS_PER_LEVEL)} s per level and handler, taken in turn, after a ${String(WARMUP_SECONDS)} s warm-up each; medians over the rounds)`,
  );
  console.log(
    '  bare SQL: the same statements on the same schema, the stored snapshot written back (no machine)',
  );
  console.log(
    '  bare machine: the same transaction as the service (machine stepped at the same time, new snapshot and columns, audit entry with guard reason and hash), without Nest, Fastify, TypeORM, validation or authentication',
  );
  console.log(
    "  busy: share of the time the server's event loop was busy; block: the longest the loop was blocked (ms, worst round); ratio: API ev/s over the bare handler's; p99x: API p99 over the bare handler's (medians of the rounds' pairs)",
  );
  console.log(
    'sync    clients |  API ev/s    p99 busy block | bare SQL  p99 busy block ratio  p99x | bare machine p99 busy block ratio  p99x',
  );
  /** The API's rounds with group commit and alone, per sync mode and level. */
  const grouped = new Map<string, Figures[]>();
  const alone = new Map<string, Figures[]>();
  for (const synchronous of SYNCS) {
    const contenders = new Map<string, Contender>();
    if (PARTS.has('api'))
      contenders.set('api', await apiContender(synchronous, dir));
    if (PARTS.has('alone'))
      contenders.set('alone', await apiContender(synchronous, dir, 1));
    if (PARTS.has('bare'))
      contenders.set('bare', await bareContender(synchronous, dir, false));
    if (PARTS.has('machine'))
      contenders.set('machine', await bareContender(synchronous, dir, true));
    const figures = new Map<string, Figures[]>();
    for (const contender of contenders.values()) {
      await contender.run(WARMUP_CLIENTS, -1, WARMUP_SECONDS);
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const clients of LEVELS) {
        for (const [name, contender] of contenders) {
          const key = `${name}/${String(clients)}`;
          figures.set(key, [
            ...(figures.get(key) ?? []),
            await contender.run(clients, round, SECONDS_PER_LEVEL),
          ]);
        }
      }
    }
    for (const contender of contenders.values()) await contender.close();
    for (const clients of LEVELS) {
      const of = (name: string) =>
        figures.get(`${name}/${String(clients)}`) ?? [];
      console.log(
        [
          synchronous.padEnd(7),
          String(clients).padStart(7),
          '|',
          ...cells(of('api')),
          '|',
          ...cells(of('bare')),
          ...ratios(of('api'), of('bare')),
          '|',
          ...cells(of('machine')),
          ...ratios(of('api'), of('machine')),
        ].join(' '),
      );
    }
    for (const clients of LEVELS) {
      const key = String(clients);
      grouped.set(`${synchronous}/${key}`, figures.get(`api/${key}`) ?? []);
      alone.set(`${synchronous}/${key}`, figures.get(`alone/${key}`) ?? []);
    }
  }
  if (PARTS.has('api')) {
    console.log(
      `Group commit (the API's writes queued together share one SQLite commit, at most ${String(DEFAULT_GROUP_COMMIT_MAX)}; "alone": SQLITE_GROUP_COMMIT_MAX=1, each write its own commit, the service before group commit)`,
    );
    console.log(
      'sync    clients | grouped ev/s    p99 writes/commit | alone ev/s    p99 | grouped/alone | grouped FULL/NORMAL',
    );
    for (const synchronous of SYNCS) {
      for (const clients of LEVELS) {
        const at = (sync: string) => `${sync}/${String(clients)}`;
        const api = grouped.get(at(synchronous)) ?? [];
        const solo = alone.get(at(synchronous)) ?? [];
        const normal = grouped.get(at('NORMAL')) ?? [];
        console.log(
          [
            synchronous.padEnd(7),
            String(clients).padStart(7),
            '|',
            fixed(median(api.map((r) => r.throughput)), 0, 12),
            fixed(median(api.map((r) => r.p99)), 1, 6),
            fixed(median(api.map((r) => r.writesPerCommit ?? NaN)), 1, 13),
            '|',
            fixed(median(solo.map((r) => r.throughput)), 0, 10),
            fixed(median(solo.map((r) => r.p99)), 1, 6),
            '|',
            ratios(api, solo)[0]?.padStart(13),
            '|',
            synchronous === 'FULL' ? ratios(api, normal)[0]?.padStart(19) : '',
          ].join(' '),
        );
      }
    }
  }
  if (PARTS.has('list')) {
    const list = await benchListAndRestart(dir);
    console.log(
      `10,000 open episodes (created in ${list.seedSeconds.toFixed(1)} s): GET /api/episodes first page p50 ${list.p50.toFixed(1)} ms, p99 ${list.p99.toFixed(1)} ms; restart to ready ${list.restartSeconds.toFixed(2)} s`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
