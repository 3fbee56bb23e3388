/**
 * Starts the real service over real HTTP on a real database (a fresh SQLite
 * file, or a fresh PostgreSQL database that is dropped afterwards), with a
 * manual clock: time is the one seam.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import type { RunningService } from '@mas/api';
import { startService } from '@mas/api';
import { ManualClock } from '@mas/api';
import { loadConfiguration } from '@mas/api';
import { parseInstitutionProfile } from '@mas/protocol';

export const T0 = '2026-03-01T08:00:00.000Z';
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type EngineName = 'sqlite' | 'postgres';

/** Whether PostgreSQL answers here; the reason when it does not. */
export async function postgresAvailable(): Promise<string | null> {
  const client = new pg.Client({
    connectionString: ADMIN_URL,
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.end();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export interface Harness {
  /** The running service (replaced by `restart`). */
  service: RunningService;
  readonly clock: ManualClock;
  readonly engine: EngineName;
  /** A raw query on the same database (for tampering tests). */
  query(sql: string, params?: unknown[]): Promise<unknown[]>;
  /** Stops the service, runs `whileDown`, and starts it again on the same database. */
  restart(whileDown?: () => void): Promise<void>;
  /** A second service instance on the same database. */
  another(): Promise<RunningService>;
  close(): Promise<void>;
}

export async function startHarness(engine: EngineName): Promise<Harness> {
  const profile = parseInstitutionProfile(
    JSON.parse(
      readFileSync(
        join(
          import.meta.dirname,
          '../../libs/protocol/profiles/example.profile.json',
        ),
        'utf8',
      ),
    ),
  );
  const clock = new ManualClock(new Date(T0));
  const jwtSecret = randomBytes(32).toString('hex');
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mas-api-'));
    const config = loadConfiguration({
      PORT: '0',
      SQLITE_PATH: join(dir, 'mas.sqlite'),
      SCHEDULER_INTERVAL_MS: '0',
    });
    const service = await startService({ config, clock, profile, jwtSecret });
    const { DataSource } = await import('typeorm');
    const raw = new DataSource({
      type: 'better-sqlite3',
      database: config.SQLITE_PATH,
    });
    await raw.initialize();
    const extra: RunningService[] = [];
    const harness: Harness = {
      service,
      clock,
      engine,
      query: (sql, params) => raw.query<unknown[]>(sql, params),
      async restart(whileDown) {
        await harness.service.close();
        whileDown?.();
        harness.service = await startService({
          config,
          clock,
          profile,
          jwtSecret,
        });
      },
      async another() {
        const instance = await startService({
          config,
          clock,
          profile,
          jwtSecret,
        });
        extra.push(instance);
        return instance;
      },
      async close() {
        for (const instance of extra) await instance.close();
        await raw.destroy();
        await harness.service.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return harness;
  }
  const name = `mas_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const config = loadConfiguration({
    PORT: '0',
    DATABASE_URL: url,
    SCHEDULER_INTERVAL_MS: '0',
  });
  const service = await startService({ config, clock, profile, jwtSecret });
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  const extra: RunningService[] = [];
  const harness: Harness = {
    service,
    clock,
    engine,
    async restart(whileDown) {
      await harness.service.close();
      whileDown?.();
      harness.service = await startService({
        config,
        clock,
        profile,
        jwtSecret,
      });
    },
    async another() {
      const instance = await startService({
        config,
        clock,
        profile,
        jwtSecret,
      });
      extra.push(instance);
      return instance;
    },
    query: async (sql, params) =>
      (
        await raw.query(
          sql.replace(
            /\?/g,
            (() => {
              let i = 0;
              return () => `$${++i}`;
            })(),
          ),
          params,
        )
      ).rows as unknown[],
    async close() {
      for (const instance of extra) await instance.close();
      await raw.end();
      await harness.service.close();
      const drop = new pg.Client({ connectionString: ADMIN_URL });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name}`);
      await drop.end();
    },
  };
  return harness;
}

/** A small HTTP client for the API. */
export class Api {
  constructor(
    private readonly base: string,
    private readonly token?: string,
  ) {}

  as(token: string): Api {
    return new Api(this.base, token);
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
    };
  }
}
