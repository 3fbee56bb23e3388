/**
 * Starts the real service over real HTTP on a real database (a fresh SQLite
 * file, or a fresh PostgreSQL database that is dropped afterwards), with a
 * manual clock: time is the one seam.
 */
import { spawnSync } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';

import {
  type Configuration,
  ephemeralKeys,
  loadConfiguration,
  ManualClock,
  MIN_SCRYPT_COST,
  type RunningService,
  type ServiceKeys,
  startService,
} from '@mas/api';
import {
  type InstitutionProfile,
  parseInstitutionProfile,
} from '@mas/protocol';

export const T0 = '2026-03-01T08:00:00.000Z';

/** The EXAMPLE institution profile every harness runs with. */
export const exampleProfile: InstitutionProfile = parseInstitutionProfile(
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

/**
 * The PostgreSQL server the suites use: its maintenance database, where they
 * create (and drop) their own. `TEST_POSTGRES_URL` points elsewhere (a test
 * of the CI failure mode points it at a closed port).
 */
const ADMIN_URL =
  process.env['TEST_POSTGRES_URL'] ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the same server. */
function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export type EngineName = 'sqlite' | 'postgres';

/** The engines a suite runs on: the embedded one and PostgreSQL. */
export const ENGINES: readonly EngineName[] = ['sqlite', 'postgres'];

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

/**
 * What a suite that needs PostgreSQL does: run; or, where none answers, skip
 * with a printed reason on a developer's machine, and fail under CI (a
 * missing server never makes a green total there).
 */
export type Requirement =
  | { readonly mode: 'run' }
  | { readonly mode: 'skip'; readonly reason: string }
  | { readonly mode: 'fail'; readonly reason: string };

/** Whether the environment is CI (`CI` set to anything but "", "0" or "false"). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['CI']?.trim().toLowerCase();
  return (
    value !== undefined && value !== '' && value !== '0' && value !== 'false'
  );
}

/** The one decision for PostgreSQL: `problem` is `postgresAvailable()`'s answer. */
export function decidePostgres(
  problem: string | null,
  env: NodeJS.ProcessEnv = process.env,
): Requirement {
  if (problem === null) return { mode: 'run' };
  const missing = `no PostgreSQL answers at ${redacted(ADMIN_URL)} (${problem})`;
  return isCi(env)
    ? {
        mode: 'fail',
        reason:
          `PostgreSQL is required when CI is set: ${missing}. Start it with ` +
          '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, ' +
          'or install it (`apt-get install -y postgresql`); `bash .ci/run` does both.',
      }
    : {
        mode: 'skip',
        reason: `PostgreSQL suites skipped: ${missing}. Start it to run them (CI fails instead of skipping).`,
      };
}

function redacted(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/** Probes PostgreSQL once and decides; prints the reason when it does not run. */
export async function postgresRequirement(): Promise<Requirement> {
  const requirement = decidePostgres(await postgresAvailable());
  if (requirement.mode !== 'run') console.warn(requirement.reason);
  return requirement;
}

/** A test registrar: `it`, or a stand-in recording what it is given. */
export interface Registrar {
  (name: string, fn: () => Promise<unknown>, timeout?: number): void;
  skip(name: string, fn: () => Promise<unknown>, timeout?: number): void;
}

/** A test's body (synchronous or not). */
type TestBody = () => unknown;

/**
 * `it` for a test that needs the server: the test itself when it runs,
 * `it.skip` when it skips, and in its place a failing test that names what
 * is missing and how to get it when it fails.
 */
export function testUnder(
  requirement: Requirement,
  register: Registrar = it,
): (name: string, fn: TestBody, timeout?: number) => void {
  switch (requirement.mode) {
    case 'run':
      return (name, fn, timeout) => {
        register(
          name,
          async () => {
            await fn();
          },
          timeout,
        );
      };
    case 'skip':
      return (name, fn, timeout) => {
        register.skip(
          name,
          async () => {
            await fn();
          },
          timeout,
        );
      };
    case 'fail':
      return (name) => {
        register(name, () => Promise.reject(new Error(requirement.reason)));
      };
  }
}

export interface Harness {
  /** The running service (replaced by `restart`). */
  service: RunningService;
  readonly clock: ManualClock;
  readonly engine: EngineName;
  /**
   * The configuration a command run against this database needs (the
   * database and the audit key), as environment variables.
   */
  readonly adminEnv: Record<string, string>;
  /** The service's keys (to forge what only the service could write, in tampering tests). */
  readonly keys: ServiceKeys;
  /** A raw query on the same database (for tampering tests). */
  query(sql: string, params?: unknown[]): Promise<unknown[]>;
  /**
   * Stops the service, runs `whileDown`, and starts it again on the same
   * database (with another institution profile, if given).
   */
  restart(
    whileDown?: () => void,
    profile?: InstitutionProfile,
    /** Settings changed from this restart on (the keys and database kept). */
    settings?: Partial<Configuration>,
  ): Promise<void>;
  /** A second service instance on the same database. */
  another(): Promise<RunningService>;
  close(): Promise<void>;
}

/**
 * Login tokens expire on the service's clock, and the suites move that clock
 * by days while using the tokens of one login: by default they last 30 days
 * here (the service's default is 8 hours).
 */
const TEST_TOKEN_TTL_SECONDS = 30 * 86_400;

export async function startHarness(
  engine: EngineName,
  options: {
    readonly tokenTtlSeconds?: number;
    /** A built web app for the service to serve (none by default). */
    readonly webDir?: string;
    /** Configuration over the harness's own (for example login limits). */
    readonly env?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const tokenTtl = String(options.tokenTtlSeconds ?? TEST_TOKEN_TTL_SECONDS);
  // The suites sign in and verify many times a minute from one address: the
  // limits per address are raised unless a suite sets them (accounts).
  // Every suite's users are created and sign in on both engines: their
  // password hashes are made at scrypt's lowest work factor (the service's
  // own default is covered by the configuration spec and the first start).
  const limits = {
    LOGIN_RATE_PER_MINUTE: '100000',
    EXPENSIVE_RATE_PER_MINUTE: '100000',
    PASSWORD_SCRYPT_COST: String(MIN_SCRYPT_COST),
    ...options.env,
  };
  let profile = exampleProfile;
  const clock = new ManualClock(new Date(T0));
  // The keys live as long as the harness: a restart keeps them. The audit
  // key as text too, for the commands run against the database.
  const auditKey = randomBytes(32).toString('hex');
  const keys = {
    ...ephemeralKeys(),
    audit: createSecretKey(Buffer.from(auditKey, 'utf8')),
  };

  /** The harness around a configured database, whatever the engine. */
  async function assemble(
    config: Configuration,
    query: Harness['query'],
    cleanup: () => Promise<void>,
  ): Promise<Harness> {
    let settings = config;
    const start = () =>
      startService({ config: settings, clock, profile, keys });
    const extra: RunningService[] = [];
    const harness: Harness = {
      service: await start(),
      adminEnv: {
        AUDIT_KEY: auditKey,
        JWT_SECRET: keys.jwtSecret,
        ...(config.DATABASE_URL
          ? { DATABASE_URL: config.DATABASE_URL }
          : { SQLITE_PATH: config.SQLITE_PATH }),
      },
      clock,
      engine,
      keys,
      query,
      async restart(whileDown, nextProfile, changed) {
        await harness.service.close();
        whileDown?.();
        if (nextProfile) profile = nextProfile;
        if (changed) settings = { ...settings, ...changed };
        harness.service = await start();
      },
      async another() {
        const instance = await start();
        extra.push(instance);
        return instance;
      },
      async close() {
        for (const instance of extra) await instance.close();
        await harness.service.close();
        await cleanup();
      },
    };
    return harness;
  }

  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mas-api-'));
    const config = loadConfiguration({
      PORT: '0',
      ...limits,
      SQLITE_PATH: join(dir, 'mas.sqlite'),
      SCHEDULER_INTERVAL_MS: '0',
      TOKEN_TTL_SECONDS: tokenTtl,
      ...(options.webDir === undefined ? {} : { WEB_DIR: options.webDir }),
    });
    const { DataSource } = await import('typeorm');
    const raw = new DataSource({
      type: 'better-sqlite3',
      database: config.SQLITE_PATH,
    });
    const harness = await assemble(
      config,
      (sql, params) => raw.query<unknown[]>(sql, params),
      async () => {
        await raw.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    );
    await raw.initialize();
    return harness;
  }
  const name = `mas_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(name);
  const config = loadConfiguration({
    PORT: '0',
    ...limits,
    DATABASE_URL: url,
    SCHEDULER_INTERVAL_MS: '0',
    TOKEN_TTL_SECONDS: tokenTtl,
  });
  const raw = new pg.Client({ connectionString: url });
  const harness = await assemble(
    config,
    async (sql, params) => {
      let index = 0;
      const numbered = sql.replace(/\?/g, () => `$${String((index += 1))}`);
      return (await raw.query(numbered, params)).rows as unknown[];
    },
    async () => {
      await raw.end();
      const drop = new pg.Client({ connectionString: ADMIN_URL });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name}`);
      await drop.end();
    },
  );
  await raw.connect();
  return harness;
}

/** One request and its answer, as seen on the wire. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: unknown;
  /** What was sent: the JSON body, and the headers beyond the token. */
  readonly requestBody?: unknown;
  readonly requestHeaders: Record<string, string>;
}

/**
 * A small HTTP client for the API: JSON answers parsed, others as text;
 * `observe` sees every exchange (the contract suite records them).
 */
export class Api {
  constructor(
    private readonly base: string,
    private readonly token?: string,
    private readonly observe?: (exchange: Exchange) => void,
  ) {}

  as(token: string): Api {
    return new Api(this.base, token, this.observe);
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    const parsed: unknown =
      text === ''
        ? undefined
        : contentType.includes('json')
          ? JSON.parse(text)
          : text;
    this.observe?.({
      method,
      path,
      status: response.status,
      contentType,
      body: parsed,
      requestBody:
        body === undefined || typeof body === 'string' ? undefined : body,
      requestHeaders: headers,
    });
    return { status: response.status, body: parsed };
  }
}

/** The password every suite's users sign in with. */
export const PASSWORD = 'correct horse battery staple';

type UserRole = Parameters<Harness['service']['users']['create']>[2];

/** One engine's service, with its users signed in: what a suite works with. */
export interface SignedInSuite {
  /** `it`, or for PostgreSQL the test that runs, skips or fails as required. */
  readonly maybe: (name: string, fn: TestBody, timeout?: number) => void;
  readonly harness: Harness;
  readonly api: Api;
  /** The API as one of the users. */
  readonly as: (user: string) => Api;
  /** A user's login token. */
  readonly token: (user: string) => string;
}

/**
 * Starts the service on `engine` before the suite's tests, creates and signs
 * in `users` (each `[username, role]`), and closes it after them. Call it
 * inside the suite's `describe`.
 */
export function signedInSuite(
  engine: EngineName,
  requirement: Requirement,
  users: readonly (readonly [string, UserRole])[],
  env?: Record<string, string>,
): SignedInSuite {
  const skip = engine === 'postgres' && requirement.mode !== 'run';
  let harness: Harness | undefined;
  const tokens: Record<string, string> = {};
  /** The API at the service's current address (a restart may move it). */
  const api = () => new Api(started(harness, 'harness').service.url);
  beforeAll(async () => {
    if (skip) return;
    harness = await startHarness(engine, env ? { env } : {});
    for (const [username, role] of users) {
      await harness.service.users.create(username, PASSWORD, role);
      const login = await api().request('POST', '/api/auth/login', {
        username,
        password: PASSWORD,
      });
      expect(login.status).toBe(200);
      tokens[username] = login.body.token;
    }
  }, 60_000);
  afterAll(async () => {
    if (harness) await harness.close();
  });
  return {
    maybe: testUnder(
      engine === 'postgres' ? requirement : { mode: 'run' as const },
    ),
    get harness() {
      return started(harness, 'harness');
    },
    get api() {
      return api();
    },
    as: (user) => api().as(tokens[user] ?? ''),
    token: (user) => tokens[user] ?? '',
  };
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`${what}: the service has not started (beforeAll)`);
  }
  return value;
}

/**
 * The command line (`apps/cli/src/main.ts`) run as a process against the
 * harness's database, with its settings and keys (`env` adds more).
 */
export function runCli(
  harness: Pick<Harness, 'adminEnv'>,
  args: readonly string[],
  env: Record<string, string> = {},
) {
  const root = join(import.meta.dirname, '../..');
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'apps/cli/src/main.ts'), ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        ...harness.adminEnv,
        ...env,
      },
      timeout: 120_000,
    },
  );
}
