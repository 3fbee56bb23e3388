/**
 * `npm run bench:api:pg`: the API on PostgreSQL (issue 19).
 *
 * 1. The service (in this process, fixed clock) against a bare node:http
 *    handler on a `pg` pool doing the same statements in one transaction
 *    (read the episode, versioned update of the same columns, read the
 *    chain's last entry, insert an audit entry of the same size with its
 *    HMAC; no statechart, no framework, no validation, no authentication):
 *    the floor set by PostgreSQL and HTTP, at 1, 16 and 64 clients, the
 *    two taking turns over rounds.
 * 2. The scale-out path: the built service (`npm run build:api`) as one
 *    process and as two processes on the same database, the clients split
 *    between them. On a 2-core machine that also runs PostgreSQL and the
 *    load generator, the figure shows what coordinating through the
 *    database costs, not a speed-up.
 *
 * The server is BENCH_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres); each run works on a fresh
 * database of its own, dropped at the end. Prints figures; asserts nothing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import {
  ephemeralKeys,
  loadConfiguration,
  ManualClock,
  startService,
} from '@mas/api';
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
  ratios,
} from './load.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 2);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const LEVELS = (process.env['BENCH_LEVELS'] ?? '1,16,64')
  .split(',')
  .map(Number);
/** Clients of the scale-out comparison (split between the instances). */
const SCALE_CLIENTS = Number(process.env['BENCH_SCALE_CLIENTS'] ?? 16);
/** `BENCH_PARTS=api,scale` (default: both). */
const PARTS = new Set((process.env['BENCH_PARTS'] ?? 'api,scale').split(','));
const ADMIN_URL =
  process.env['BENCH_POSTGRES_URL'] ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_NOW = new Date('2026-03-01T08:00:00Z');
const BENCH_PASSWORD = 'correct horse battery staple';
const panel = panelOf(floridMas, febrileSjia);
const keys = ephemeralKeys();
const profile = exampleProfile();

const root = join(import.meta.dirname, '..');
async function onServer(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(sql);
  await admin.end();
}

/** `work` on a fresh database of its own, dropped afterwards. */
async function onFreshDatabase(
  work: (databaseUrl: string) => Promise<void>,
): Promise<void> {
  const name = `mas_bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await onServer(`CREATE DATABASE ${name}`);
  try {
    await work(url.toString());
  } finally {
    await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function login(baseUrl: string, username: string, password: string) {
  const answer = await post(`${baseUrl}/api/auth/login`, {
    username,
    password,
  });
  if (answer.status !== 200) {
    throw new Error(`login ${username}: ${JSON.stringify(answer.json)}`);
  }
  return answer.json['token'] as string;
}

/** `count` new episodes through the API; their ids and opening times. */
async function openEpisodes(baseUrl: string, token: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const created = await post(
        `${baseUrl}/api/episodes`,
        {
          patient: {
            ...amira,
            identifier: `${amira.identifier}-${randomBytes(4).toString('hex').toUpperCase()}-${String(index)}`,
          },
        },
        token,
      );
      if (created.status !== 201) {
        throw new Error(`open episode: ${JSON.stringify(created.json)}`);
      }
      const context = created.json['context'] as { openedAt: string };
      return { id: created.json['id'] as string, openedAt: context.openedAt };
    }),
  );
}

const labsTarget = (
  baseUrl: string,
  episode: { id: string; openedAt: string },
) => ({
  url: `${baseUrl}/api/episodes/${episode.id}/events`,
  body: {
    type: 'labs.recorded',
    payload: { panel, collectedAt: episode.openedAt },
  },
  version: 0,
});

/**
 * The bare handler: the service's statements on its own tables and rows,
 * one transaction per event on a pooled connection, nothing else.
 */
async function bareHandler(
  databaseUrl: string,
): Promise<{ url: string; close(): Promise<void> }> {
  // TypeORM's pg pool holds 10 connections by default: the same here.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const server: Server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      const id = /\/api\/episodes\/([^/]+)\/events/.exec(
        request.url ?? '',
      )?.[1];
      const body = JSON.parse(text) as {
        expectedVersion: number;
        payload: unknown;
      };
      void (async () => {
        const client = await pool.connect();
        let status = 201;
        let version = body.expectedVersion;
        try {
          await client.query('BEGIN');
          const row = (
            await client.query<BareEpisodeRow>({
              name: 'read',
              text: 'SELECT * FROM episodes WHERE id = $1',
              values: [id],
            })
          ).rows[0];
          if (!row || row.version !== version) {
            status = 409;
            await client.query('ROLLBACK');
          } else {
            const now = BENCH_NOW;
            await client.query({
              name: 'update',
              text: `UPDATE episodes SET snapshot = $1, stage = $2, tags = $3, alert_ids = $4, overdue = $5,
                 urgency = $6, next_due_at = $7, version = $8, updated_at = $9, seal = $10 WHERE id = $11 AND version = $12`,
              values: [
                row.snapshot,
                row.stage,
                row.tags,
                row.alert_ids,
                false,
                row.urgency,
                null,
                version + 1,
                now,
                createHmac('sha256', keys.audit)
                  .update(row.snapshot)
                  .digest('hex'),
                id,
                version,
              ],
            });
            const previous = (
              await client.query<{ seq: number; hash: string }>({
                name: 'last',
                text: 'SELECT seq, hash FROM audit_entries WHERE episode_id = $1 ORDER BY seq DESC LIMIT 1',
                values: [id],
              })
            ).rows[0];
            const [entry, hash] = fixedAuditEntry(keys.audit, {
              id: id ?? '',
              previous,
              payload: JSON.stringify(body.payload),
              now,
              row,
            });
            await client.query({
              name: 'insert',
              text: `INSERT INTO audit_entries (id, episode_id, seq, type, payload, actor_id, actor_role,
                 occurred_at, recorded_at, rationale, evidence, guard, state_before, state_after,
                 protocol_hash, profile_hash, prev_hash, hash)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
              values: [...entry, hash],
            });
            await client.query('COMMIT');
            version += 1;
          }
        } catch (error) {
          status = 500;
          await client.query('ROLLBACK').catch(() => undefined);
          console.error(error);
        } finally {
          client.release();
        }
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ version }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

/** Part 1: the API against the bare handler, in turns. */
async function apiAgainstBare(databaseUrl: string): Promise<void> {
  const service = await startService({
    config: loadConfiguration({
      PORT: '0',
      DATABASE_URL: databaseUrl,
      SCHEDULER_INTERVAL_MS: '0',
    }),
    clock: new ManualClock(BENCH_NOW),
    profile,
    keys,
  });
  await service.users.create('bench', BENCH_PASSWORD, 'clinician');
  const token = await login(service.url, 'bench', BENCH_PASSWORD);
  const bare = await bareHandler(databaseUrl);
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
  };
  const figures = new Map<string, Figures[]>();
  const run = async (name: string, clients: number, seconds: number) => {
    const episodes = await openEpisodes(service.url, token, clients);
    const base = name === 'api' ? service.url : bare.url;
    return drive(
      episodes.map((episode) => labsTarget(base, episode)),
      headers,
      seconds,
    );
  };
  await run('api', 4, SECONDS);
  await run('bare', 4, SECONDS);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const clients of LEVELS) {
      for (const name of ['api', 'bare']) {
        const key = `${name}/${String(clients)}`;
        figures.set(key, [
          ...(figures.get(key) ?? []),
          await run(name, clients, SECONDS),
        ]);
      }
    }
  }
  await bare.close();
  await service.close();
  console.log(
    `API vs bare pg handler (PostgreSQL; labs.recorded events, fresh episodes per run; ${String(ROUNDS)} rounds of ${String(SECONDS)} s per level and handler, in turn; medians over the rounds)`,
  );
  console.log(
    'clients |  API ev/s    p99 busy block | bare pg  p99 busy block ratio  p99x',
  );
  for (const clients of LEVELS) {
    const of = (name: string) =>
      figures.get(`${name}/${String(clients)}`) ?? [];
    console.log(
      [
        String(clients).padStart(7),
        '|',
        ...cells(of('api')),
        '|',
        ...cells(of('bare')),
        ...ratios(of('api'), of('bare')),
      ].join(' '),
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

/** The built service as `npm start` runs it, on the bench's database. */
async function startInstance(
  databaseUrl: string,
  keysDir: string,
): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'dist/api/src/main.mjs')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      KEYS_DIR: keysDir,
      SCHEDULER_INTERVAL_MS: '0',
      ADMIN_USERNAME: 'bench-admin',
      ADMIN_PASSWORD: BENCH_PASSWORD,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Listening on')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      throw new Error(`service did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    url: `http://127.0.0.1:${String(port)}`,
    output: () => output,
  };
}

function stop(instance: Instance): Promise<void> {
  return new Promise((resolve) => {
    if (instance.child.exitCode !== null) {
      resolve();
      return;
    }
    instance.child.once('exit', () => {
      resolve();
    });
    instance.child.kill('SIGTERM');
  });
}

/** Part 2: one process against two on the same database. */
async function scaleOut(databaseUrl: string): Promise<void> {
  const build = spawnSync('npm', ['run', '-s', 'build:api'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build:api: ${build.stderr}`);
  const keysDir = mkdtempSync(join(tmpdir(), 'mas-bench-pg-keys-'));
  try {
    // The first makes the keys (and the admin) the second then shares.
    const first = await startInstance(databaseUrl, keysDir);
    const second = await startInstance(databaseUrl, keysDir);
    const instances = [first, second];
    try {
      const adminToken = await login(first.url, 'bench-admin', BENCH_PASSWORD);
      const user = await post(
        `${first.url}/api/users`,
        { username: 'bench', password: BENCH_PASSWORD, role: 'clinician' },
        adminToken,
      );
      if (user.status !== 201) {
        throw new Error(`create user: ${JSON.stringify(user.json)}`);
      }
      // One sign-in serves both: they share the signing key.
      const token = await login(second.url, 'bench', BENCH_PASSWORD);
      const headers = {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      };
      const run = async (count: 1 | 2) => {
        const episodes = await openEpisodes(first.url, token, SCALE_CLIENTS);
        return drive(
          episodes.map((episode, index) =>
            labsTarget((instances[index % count] ?? first).url, episode),
          ),
          headers,
          SECONDS,
        );
      };
      await run(1);
      await run(2);
      const one: Figures[] = [];
      const two: Figures[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        one.push(await run(1));
        two.push(await run(2));
      }
      console.log(
        `Scale-out (the built service on the same PostgreSQL database, ${String(SCALE_CLIENTS)} clients split between the instances; ${String(ROUNDS)} rounds of ${String(SECONDS)} s; medians)`,
      );
      console.log(
        `  one instance ${fixed(median(one.map((f) => f.throughput)), 0, 6)} ev/s (p99 ${fixed(median(one.map((f) => f.p99)), 1, 5)} ms); two instances ${fixed(median(two.map((f) => f.throughput)), 0, 6)} ev/s (p99 ${fixed(median(two.map((f) => f.p99)), 1, 5)} ms); two over one ${ratios(two, one)[0]?.trim() ?? '-'}`,
      );
    } finally {
      await Promise.all(instances.map(stop));
    }
  } finally {
    rmSync(keysDir, { recursive: true, force: true });
  }
}

if (PARTS.has('api')) await onFreshDatabase(apiAgainstBare);
if (PARTS.has('scale')) await onFreshDatabase(scaleOut);
