/**
 * The service killed with SIGKILL while a client sends events: after the
 * restart every event the client saw acknowledged (a 201 received before the
 * kill) is in the audit where the acknowledgement put it, the audit holds
 * nothing but acknowledged events and the ones in flight at a kill, the
 * snapshot equals a replay of the audit, and every chain verifies. A few
 * cycles, not dozens.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import { Api } from './api-harness.js';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'mas-crash-'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: string;
}

/**
 * The service as `npm start` runs it: the bundle `npm run build:api` makes
 * (built once here), in one process that SIGKILL reaches.
 */
const bundle = join(root, 'dist/api/src/main.mjs');

beforeAll(() => {
  const build = spawnSync('npm', ['run', '-s', 'build:api'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    throw new Error(`npm run build:api failed:\n${build.stderr}`);
  }
  expect(statSync(bundle).size).toBeGreaterThan(0);
});

async function start(port: number): Promise<Running> {
  const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
    cwd: root,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PORT: String(port),
      SQLITE_PATH: join(dir, 'mas.sqlite'),
      DATA_DIR: join(dir, 'data'),
      KEYS_DIR: join(dir, 'keys'),
      SCHEDULER_INTERVAL_MS: '0',
      DEMO_DATA: 'true',
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
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url: `http://127.0.0.1:${port}`, output };
}

function kill(running: Running): Promise<void> {
  return new Promise((resolve) => {
    running.child.once('exit', () => {
      resolve();
    });
    running.child.kill('SIGKILL');
  });
}

/** The service process of the test (killed at the end, whatever happened). */
let current: Running | undefined;

afterAll(async () => {
  const child = current?.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('crash safety (SQLite, synchronous=NORMAL)', () => {
  it('after SIGKILL mid-stream every acknowledged event is in the audit, the snapshot replays, chains verify', async () => {
    const port = await freePort();
    let running = await start(port);
    current = running;
    const password = (user: string) =>
      new RegExp(`${user}\\s+\\S+\\s+(\\S+)`).exec(running.output)?.[1] ?? '';
    const clinicianPassword = password('demo-clinician');
    const auditorPassword = password('demo-auditor');
    const login = async (username: string, secret: string) => {
      const result = await new Api(running.url).request(
        'POST',
        '/api/auth/login',
        { username, password: secret },
      );
      return new Api(running.url).as(result.body.token);
    };
    let clinician = await login('demo-clinician', clinicianPassword);
    const created = await clinician.request('POST', '/api/episodes', {
      patient: amira,
    });
    const id: string = created.body.id;
    const panel = panelOf(floridMas, febrileSjia);
    // The service runs on the wall clock here: the sample is dated by the
    // episode's opening (the service's own time), never by the test's clock.
    const collectedAt: string = created.body.context.openedAt;
    // Counted on the client's side, from the answers it received: each
    // event carries a marker (its rationale) chosen by the client.
    /** Marker → the version (audit seq) of its 201, for every event acknowledged. */
    const acknowledged = new Map<string, number>();
    /** Markers of requests sent whose answer never came (cut by a kill). */
    const inFlight = new Set<string>();
    let version = 0;
    let counter = 0;
    /** The fewest acknowledgements the cycles must have produced. */
    let minimum = 0;

    for (let cycle = 0; cycle < 3; cycle += 1) {
      const stopAfter = 15 + cycle * 5;
      let sent = 0;
      /** Set when the sending ends: the kill then happens at once. */
      const sending = { ended: false };
      const killed = (async () => {
        while (sent < stopAfter && !sending.ended)
          await new Promise((resolve) => setTimeout(resolve, 5));
        await kill(running);
      })();
      // Send until the process dies; count only what was acknowledged.
      try {
        for (;;) {
          sent += 1;
          counter += 1;
          const marker = `crash-test event ${String(counter)}`;
          let answer: { status: number; body: any };
          try {
            answer = await clinician.request(
              'POST',
              `/api/episodes/${id}/events`,
              {
                type: 'labs.recorded',
                payload: { panel, collectedAt },
                rationale: marker,
                expectedVersion: version,
              },
            );
          } catch {
            // No answer: the kill cut it. It may or may not have committed.
            inFlight.add(marker);
            break;
          }
          // An answer but a 201 is a failure of the service, not of the kill.
          if (answer.status !== 201 || answer.body.version !== version + 1) {
            throw new Error(
              `unexpected answer ${String(answer.status)} at version ${String(version)}: ${JSON.stringify(answer.body)}`,
            );
          }
          acknowledged.set(marker, answer.body.version);
          version = answer.body.version;
        }
      } finally {
        // (The kill happens now if the loop ended before it.)
        sending.ended = true;
      }
      minimum += stopAfter - 1;
      await killed;
      running = await start(port);
      current = running;
      clinician = await login('demo-clinician', clinicianPassword);
      const stored = await clinician.request('GET', `/api/episodes/${id}`);
      // Never fewer than acknowledged; more only by what was in flight.
      expect(stored.body.version).toBeGreaterThanOrEqual(acknowledged.size);
      expect(stored.body.version).toBeLessThanOrEqual(
        acknowledged.size + inFlight.size,
      );
      // The next request builds on what is stored (an in-flight event may
      // have committed without its answer reaching the client).
      version = stored.body.version;
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(minimum);

    const auditor = await login('demo-auditor', auditorPassword);
    const audit = await auditor.request('GET', `/api/episodes/${id}/audit`);
    const entries = audit.body as { seq: number; rationale: string | null }[];
    // Every event the client saw acknowledged is in the audit, at the seq
    // its acknowledgement named ...
    const seqOf = new Map(entries.map((e) => [e.rationale ?? '', e.seq]));
    const lost = [...acknowledged].filter(
      ([marker, seq]) => seqOf.get(marker) !== seq,
    );
    expect(lost).toEqual([]);
    // ... and the audit holds nothing else but events that were in flight.
    const unexpected = entries.filter(
      (e) =>
        !acknowledged.has(e.rationale ?? '') &&
        !inFlight.has(e.rationale ?? ''),
    );
    expect(unexpected).toEqual([]);
    expect(entries.length).toBeLessThanOrEqual(
      acknowledged.size + inFlight.size,
    );
    expect(entries.map((e) => e.seq)).toEqual(
      Array.from({ length: entries.length }, (_, i) => i + 1),
    );
    const episode = await auditor.request('GET', `/api/episodes/${id}`);
    const replay = await auditor.request(
      'GET',
      `/api/episodes/${id}/state?at=2100-01-01T00:00:00Z`,
    );
    expect(replay.body.value).toEqual(episode.body.value);
    expect(replay.body.context.lastPanel).toEqual(
      episode.body.context.lastPanel,
    );
    const verify = await auditor.request(
      'GET',
      '/api/audit/verify?replay=true',
    );
    expect(verify.body).toMatchObject({ ok: true, broken: [] });
    // Data at rest: the database, its WAL and every key readable by the
    // service's user alone; the keys in their own folder.
    const modes = Object.fromEntries(
      [
        'mas.sqlite',
        'mas.sqlite-wal',
        'keys',
        'keys/jwt-secret',
        'keys/audit-key',
        'keys/checkpoint-ed25519.pem',
      ].map((name) => [
        name,
        (statSync(join(dir, name)).mode & 0o777).toString(8),
      ]),
    );
    expect(modes).toEqual({
      'mas.sqlite': '600',
      'mas.sqlite-wal': '600',
      keys: '700',
      'keys/jwt-secret': '600',
      'keys/audit-key': '600',
      'keys/checkpoint-ed25519.pem': '600',
    });
    await kill(running);
  }, 240_000);
});
