/**
 * `npm run bench:analytics`: the quality indicators (`GET /api/analytics`,
 * every indicator, replayed from the audit) over a real SQLite database of
 * N episodes of 30 audited events each, beside the time to read the same
 * audit rows alone (one SELECT on the same file). Cold: a service that has
 * reported nothing yet reads the facts each row keeps (folded on write);
 * replayed: the same rows without them (as an older version wrote them),
 * every audit replayed. Prints figures, the ratio,
 * and the time per episode; asserts nothing. Target (issue 18): 10,000
 * episodes in at most 2 s, at most 3x the read alone. The episodes are sent
 * over HTTP (labs every hour, the diagnosis, the pulse), so the default N is
 * smaller than the target's; the figure per episode says how far it is.
 * `--engine postgres` runs it on a fresh PostgreSQL database (the server
 * at BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres,
 * as the test suites use), dropped at the end.
 *   npm run -s bench:analytics [-- --episodes N --rounds R --engine sqlite|postgres]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import Database from 'better-sqlite3';
import pg from 'pg';

import {
  ephemeralKeys,
  loadConfiguration,
  ManualClock,
  qualitySeal,
  startService,
} from '@mas/api';
import { standardPrescription } from '@mas/mas-episode';
import { amira, floridMas, panelOf } from '@mas/testing';

import { requestJson } from './bench-http.js';
import { exampleProfile } from './example-profile.js';

const option = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const FILLED = option('episodes', 300);
/**
 * Copies of the filled episodes and their audits made in SQL (new ids, the
 * same rows otherwise), to reach the target's size without hours of HTTP.
 */
const COPIES = option('copies', 1);
const EPISODES = FILLED * COPIES;
const ROUNDS = option('rounds', 5);
const EVENTS = 30;
const TARGET = { episodes: 10_000, seconds: 2, ratio: 3 };
const PASSWORD = 'correct horse battery staple';
const HOUR = 3_600_000;

const engineIndex = process.argv.indexOf('--engine');
const ENGINE = engineIndex === -1 ? 'sqlite' : process.argv[engineIndex + 1];
if (ENGINE !== 'sqlite' && ENGINE !== 'postgres') {
  throw new Error('--engine: must be sqlite or postgres');
}
const ADMIN_URL =
  process.env['BENCH_POSTGRES_URL'] ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const dir = mkdtempSync(join(tmpdir(), 'mas-bench-analytics-'));
const sqlitePath = join(dir, 'analytics.sqlite');
const pgName = `mas_bench_${randomBytes(6).toString('hex')}`;
const pgUrl = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${pgName}`;
  return url.toString();
})();
/** A statement on the PostgreSQL server's maintenance database. */
async function onServer(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(sql);
  await admin.end();
}
if (ENGINE === 'postgres') await onServer(`CREATE DATABASE ${pgName}`);
const clock = new ManualClock(new Date('2026-01-05T08:00:00Z'));
const profile = exampleProfile();
/** The service's keys: the copies' kept facts are sealed with its audit key. */
const keys = ephemeralKeys();
const service = await startService({
  config: loadConfiguration({
    PORT: '0',
    ...(ENGINE === 'postgres'
      ? { DATABASE_URL: pgUrl }
      : { SQLITE_PATH: sqlitePath }),
    SCHEDULER_INTERVAL_MS: '0',
    // The clock moves 30 h per episode: the tokens must outlive the fill.
    TOKEN_TTL_SECONDS: String(20 * 365 * 86_400),
  }),
  clock,
  profile,
  keys,
});

const call = (method: string, path: string, token: string, body?: unknown) =>
  requestJson(service.url, method, path, token, body);

async function tokenOf(username: string, role: string): Promise<string> {
  await service.users.create(username, PASSWORD, role as 'clinician');
  const login = await fetch(`${service.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  return ((await login.json()) as { token: string }).token;
}

/** One episode: opened, then labs every hour with the diagnosis and the pulse among them. */
async function episode(token: string, n: number): Promise<void> {
  const opened = await call('POST', '/api/episodes', token, {
    patient: { ...amira, identifier: `BENCH-${String(n)}` },
  });
  let version = opened.json['version'] as number;
  const id = opened.json['id'] as string;
  for (let e = 0; e < EVENTS; e += 1) {
    clock.advance(HOUR);
    const now = clock.now().toISOString();
    const [type, payload] =
      e === 1
        ? ['diagnosis.confirmed', { basis: 'criteria' }]
        : e === 2
          ? [
              'therapy.started',
              {
                drug: 'methylprednisolone',
                ...standardPrescription('methylprednisolone', amira, profile),
                givenAt: now,
              },
            ]
          : ['labs.recorded', { panel: panelOf(floridMas), collectedAt: now }];
    const sent = await call('POST', `/api/episodes/${id}/events`, token, {
      type,
      payload,
      expectedVersion: version,
    });
    if (sent.status !== 201) {
      throw new Error(
        `${type}: ${String(sent.status)} ${JSON.stringify(sent.json)}`,
      );
    }
    version = sent.json['version'] as number;
  }
}

/**
 * Each filled episode and its audit copied COPIES - 1 times: the id's first
 * eight characters replaced by the copy's number (ids stay 36 long).
 */
async function copyEpisodes(): Promise<void> {
  const { run, select, columns, close } = await rawDatabase();
  const renamed = (column: string, copy: number) =>
    ENGINE === 'postgres'
      ? `lpad('${String(copy)}', 8, '0') || substr(${column}, 9)`
      : `printf('%08d', ${String(copy)}) || substr(${column}, 9)`;
  const episodeColumns = await columns('episodes');
  const auditColumns = await columns('audit_entries');
  const copyOf = (table: string, cols: string[], copy: number) => {
    const list = cols.map((c) => `"${c}"`).join(', ');
    const values = cols
      .map((c) =>
        c === 'id' || c === 'episode_id'
          ? renamed(`"${c}"`, copy)
          : // The kept facts name their episode: the copy's own id (and
            // are sealed for it below).
            c === 'quality'
            ? `replace("quality", "id", ${renamed('"id"', copy)})`
            : `"${c}"`,
      )
      .join(', ');
    return `INSERT INTO ${table} (${list}) SELECT ${values} FROM ${table} WHERE ${copyFilter(table)}`;
  };
  const copyFilter = (table: string) =>
    table === 'episodes'
      ? `"id" IN (SELECT "id" FROM originals)`
      : `"episode_id" IN (SELECT "id" FROM originals)`;
  await run('CREATE TEMPORARY TABLE originals AS SELECT "id" FROM episodes');
  for (let copy = 1; copy < COPIES; copy += 1) {
    await run(copyOf('episodes', episodeColumns, copy));
    await run(copyOf('audit_entries', auditColumns, copy));
  }
  // Each copy's facts sealed for the copy, as the service would have.
  const rows = await select<{ id: string; version: number; quality: string }>(
    'SELECT "id", "version", "quality" FROM episodes WHERE "quality" IS NOT NULL AND "id" NOT IN (SELECT "id" FROM originals)',
  );
  for (const row of rows) {
    await run(
      `UPDATE episodes SET "quality_seal" = '${qualitySeal(keys.audit, row)}' WHERE "id" = '${row.id}'`,
    );
  }
  await close();
}

/** The same database, raw: a statement, and the audit rows read alone (one SELECT). */
async function rawDatabase(): Promise<{
  run: (sql: string) => Promise<void>;
  select: <T>(sql: string) => Promise<T[]>;
  readAll: () => Promise<number>;
  columns: (table: string) => Promise<string[]>;
  close: () => Promise<void>;
}> {
  const select = 'SELECT * FROM audit_entries ORDER BY episode_id, seq';
  if (ENGINE === 'postgres') {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    return {
      run: async (sql) => {
        await client.query(sql);
      },
      select: async <T>(sql: string) => (await client.query(sql)).rows as T[],
      readAll: async () => (await client.query(select)).rows.length,
      columns: async (table) =>
        (
          await client.query<{ column_name: string }>(
            'SELECT column_name FROM information_schema.columns WHERE table_name = $1',
            [table],
          )
        ).rows.map((row) => row.column_name),
      close: () => client.end(),
    };
  }
  const db = new Database(sqlitePath);
  const statement = db.prepare(select);
  return {
    run: (sql) => {
      db.prepare(sql).run();
      return Promise.resolve();
    },
    select: <T>(sql: string) => Promise.resolve(db.prepare(sql).all() as T[]),
    readAll: () => Promise.resolve(statement.all().length),
    columns: (table) =>
      Promise.resolve(
        (
          db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]
        ).map((row) => row.name),
      ),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

try {
  const clinician = await tokenOf('bench-clinician', 'clinician');
  const auditor = await tokenOf('bench-auditor', 'auditor');
  const filling = performance.now();
  for (let n = 0; n < FILLED; n += 1) await episode(clinician, n);
  const fillSeconds = (performance.now() - filling) / 1000;
  if (COPIES > 1) await copyEpisodes();

  // The first report replays every episode; the next ones reuse the
  // analyses the service kept (an episode is replayed again only when its
  // version moved): cold, then warm.
  const report: number[] = [];
  let coldMs = 0;
  let counted = 0;
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const start = performance.now();
    const answer = await call('GET', '/api/analytics', auditor);
    if (round === 0) coldMs = performance.now() - start;
    else report.push(performance.now() - start);
    counted = answer.json['episodes'] as number;
  }

  // Rows an older version wrote keep no facts: the report replays their
  // audits (and writes the facts back). The same episodes, replayed.
  const { run, readAll, close } = await rawDatabase();
  // At most 1,000 episodes replayed (10 ms each): the figure per episode.
  let replayMs: number | null = null;
  if (EPISODES <= 1_000) {
    await run('UPDATE episodes SET quality = NULL');
    const replayStart = performance.now();
    await call('GET', '/api/analytics', auditor);
    replayMs = performance.now() - replayStart;
  }

  const read: number[] = [];
  let rows = 0;
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const start = performance.now();
    rows = await readAll();
    if (round > 0) read.push(performance.now() - start);
  }
  await close();

  const reportMs = median(report);
  const readMs = median(read);
  const perEpisodeMs = coldMs / EPISODES;
  const projected = (perEpisodeMs * TARGET.episodes) / 1000;
  console.log(
    `Quality indicators over ${String(EPISODES)} episodes (${String(rows)} audit rows, ${String(counted)} counted), ${ENGINE === 'postgres' ? 'PostgreSQL' : 'SQLite'}, ${String(ROUNDS)} rounds, medians (Node ${process.version}; ${String(FILLED)} filled over HTTP in ${fillSeconds.toFixed(0)} s${COPIES > 1 ? `, copied ${String(COPIES)} times in SQL` : ''}):`,
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `  audit rows read alone        ${readMs.toFixed(0).padStart(7)} ms`,
  );
  console.log(
    `  GET /api/analytics, cold     ${coldMs.toFixed(0).padStart(7)} ms  ratio ${(coldMs / readMs).toFixed(1)} (target <= ${String(TARGET.ratio)}: ${verdict(coldMs / readMs <= TARGET.ratio)}; ${perEpisodeMs.toFixed(3)} ms per episode: the facts each row keeps, folded on write, nothing replayed)`,
  );
  console.log(
    replayMs === null
      ? '  GET /api/analytics, replayed: not measured at this size (about 10 ms per episode)'
      : `  GET /api/analytics, replayed ${replayMs.toFixed(0).padStart(7)} ms  ratio ${(replayMs / readMs).toFixed(1)} (${(replayMs / EPISODES).toFixed(2)} ms per episode: every audit replayed, as for rows an older version wrote; the facts written back)`,
  );
  console.log(
    `  GET /api/analytics, warm     ${reportMs.toFixed(0).padStart(7)} ms  ratio ${(reportMs / readMs).toFixed(1)} (target <= ${String(TARGET.ratio)}: ${verdict(reportMs / readMs <= TARGET.ratio)}; nothing changed since the last report)`,
  );
  console.log(
    EPISODES >= TARGET.episodes
      ? `  ${String(EPISODES)} episodes cold: ${(coldMs / 1000).toFixed(2)} s (measured; target ${String(TARGET.episodes)} in <= ${String(TARGET.seconds)} s: ${verdict(coldMs / 1000 <= TARGET.seconds)})`
      : `  ${String(TARGET.episodes)} episodes cold at this rate: ${projected.toFixed(1)} s (projected, not measured; target <= ${String(TARGET.seconds)} s: ${verdict(projected <= TARGET.seconds)})`,
  );
} finally {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
  if (ENGINE === 'postgres')
    await onServer(`DROP DATABASE IF EXISTS ${pgName}`);
}
