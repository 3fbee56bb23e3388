/**
 * `npm run bench:api`: the API over HTTP at 1, 16 and 64 concurrent clients
 * (throughput, p50/p99), beside a bare node:http handler doing the same
 * database transaction without the framework or the statechart, and the
 * ratio; for SQLite at synchronous=NORMAL and FULL. Then: 10,000 open
 * episodes, first page of GET /api/episodes (p99), and restart to ready.
 * Prints figures; asserts nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { loadConfiguration, ManualClock, startService } from '@mas/api';
import { parseInstitutionProfile } from '@mas/protocol';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';
import Database from 'better-sqlite3';

const SECONDS_PER_LEVEL = Number(process.env['BENCH_SECONDS'] ?? 3);
const LEVELS = [1, 16, 64];
const profile = parseInstitutionProfile(
  JSON.parse(
    readFileSync(
      join(
        import.meta.dirname,
        '../libs/protocol/profiles/example.profile.json',
      ),
      'utf8',
    ),
  ),
);
const panel = panelOf(floridMas, febrileSjia);

interface Figures {
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
}

function percentile(sorted: number[], p: number): number {
  return (
    sorted[
      Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
    ] ?? 0
  );
}

/** Runs `clients` loops of `step` for the bench duration. */
async function drive(
  clients: number,
  step: (client: number) => Promise<void>,
): Promise<Figures> {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS_PER_LEVEL * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < end) {
        const start = performance.now();
        await step(client);
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    throughput: latencies.length / SECONDS_PER_LEVEL,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function post(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function benchApi(synchronous: 'NORMAL' | 'FULL', dir: string) {
  const config = loadConfiguration({
    PORT: '0',
    SQLITE_PATH: join(dir, `api-${synchronous}.sqlite`),
    SQLITE_SYNCHRONOUS: synchronous,
    SCHEDULER_INTERVAL_MS: '0',
  });
  const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
  const service = await startService({
    config,
    clock,
    profile,
    jwtSecret: randomBytes(32).toString('hex'),
  });
  await service.users.create('bench', 'bench password 123', 'clinician');
  const token = (
    await post(`${service.url}/api/auth/login`, {
      username: 'bench',
      password: 'bench password 123',
    })
  ).json.token as string;
  const results: Figures[] = [];
  for (const clients of LEVELS) {
    const episodes = await Promise.all(
      Array.from({ length: clients }, async () => {
        const created = await post(
          `${service.url}/api/episodes`,
          { patient: amira },
          token,
        );
        return { id: created.json.id as string, version: 0 };
      }),
    );
    results.push(
      await drive(clients, async (client) => {
        const episode = episodes[client];
        if (!episode) return;
        const result = await post(
          `${service.url}/api/episodes/${episode.id}/events`,
          {
            type: 'labs.recorded',
            payload: { panel },
            expectedVersion: episode.version,
          },
          token,
        );
        if (result.status !== 201)
          throw new Error(`API answered ${result.status}`);
        episode.version = result.json.version;
      }),
    );
  }
  await service.close();
  return results;
}

/** The same transaction (read, versioned update, audit insert) in a bare handler. */
async function benchBare(synchronous: 'NORMAL' | 'FULL', dir: string) {
  const db = new Database(join(dir, `bare-${synchronous}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(`CREATE TABLE episodes (id TEXT PRIMARY KEY, snapshot TEXT, version INTEGER);
           CREATE TABLE audit_entries (id TEXT PRIMARY KEY, episode_id TEXT, seq INTEGER, payload TEXT, hash TEXT)`);
  const snapshot = 'x'.repeat(4000);
  const read = db.prepare('SELECT version FROM episodes WHERE id = ?');
  const update = db.prepare(
    'UPDATE episodes SET snapshot = ?, version = version + 1 WHERE id = ? AND version = ?',
  );
  const insert = db.prepare('INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?)');
  const apply = db.transaction(
    (id: string, version: number, payload: string) => {
      const row = read.get(id) as { version: number } | undefined;
      if (!row || row.version !== version) return 409;
      update.run(snapshot, id, version);
      insert.run(randomUUID(), id, version + 1, payload, randomUUID());
      return 201;
    },
  );
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { id, expectedVersion } = JSON.parse(body) as {
        id: string;
        expectedVersion: number;
      };
      const status = apply(id, expectedVersion, body);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ version: expectedVersion + 1 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}/events`;
  const results: Figures[] = [];
  for (const clients of LEVELS) {
    const episodes = Array.from({ length: clients }, () => {
      const id = randomUUID();
      db.prepare('INSERT INTO episodes VALUES (?, ?, 0)').run(id, snapshot);
      return { id, version: 0 };
    });
    results.push(
      await drive(clients, async (client) => {
        const episode = episodes[client];
        if (!episode) return;
        const result = await post(url, {
          id: episode.id,
          expectedVersion: episode.version,
          payload: { panel },
        });
        if (result.status !== 201)
          throw new Error(`bare answered ${result.status}`);
        episode.version += 1;
      }),
    );
  }
  server.close();
  db.close();
  return results;
}

async function benchListAndRestart(dir: string) {
  const config = loadConfiguration({
    PORT: '0',
    SQLITE_PATH: join(dir, 'many.sqlite'),
    SCHEDULER_INTERVAL_MS: '0',
  });
  const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
  const jwtSecret = randomBytes(32).toString('hex');
  let service = await startService({ config, clock, profile, jwtSecret });
  await service.users.create('bench', 'bench password 123', 'clinician');
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
      password: 'bench password 123',
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
  service = await startService({ config, clock, profile, jwtSecret });
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
    `API vs bare handler (SQLite, ${SECONDS_PER_LEVEL} s per level; labs.recorded events, one episode per client)`,
  );
  console.log(
    'sync    clients   api req/s  api p50  api p99   bare req/s  bare p50 bare p99   ratio  p99/bare',
  );
  for (const synchronous of ['NORMAL', 'FULL'] as const) {
    const api = await benchApi(synchronous, dir);
    const bare = await benchBare(synchronous, dir);
    LEVELS.forEach((clients, index) => {
      const a = api[index];
      const b = bare[index];
      if (!a || !b) return;
      console.log(
        `${synchronous.padEnd(7)} ${String(clients).padStart(7)} ${a.throughput.toFixed(0).padStart(11)} ${a.p50.toFixed(1).padStart(8)} ${a.p99.toFixed(1).padStart(8)} ${b.throughput.toFixed(0).padStart(12)} ${b.p50.toFixed(1).padStart(9)} ${b.p99.toFixed(1).padStart(8)} ${(a.throughput / b.throughput).toFixed(2).padStart(7)} ${(a.p99 / b.p99).toFixed(1).padStart(9)}`,
      );
    });
  }
  const list = await benchListAndRestart(dir);
  console.log(
    `10,000 open episodes (created in ${list.seedSeconds.toFixed(1)} s): GET /api/episodes first page p50 ${list.p50.toFixed(1)} ms, p99 ${list.p99.toFixed(1)} ms; restart to ready ${list.restartSeconds.toFixed(2)} s`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
