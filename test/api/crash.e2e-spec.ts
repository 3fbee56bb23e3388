/**
 * The service killed with SIGKILL while clients send events, several at
 * once so that their events share commits (group commit), under
 * `synchronous=NORMAL` and `FULL`: after the restart every event a client
 * saw acknowledged (a 201 received before the kill) is in the audit where
 * the acknowledgement put it, the audit holds nothing but acknowledged
 * events and the ones in flight at a kill, each snapshot equals a replay of
 * its audit, and every chain verifies. A few cycles, not dozens. (A kill
 * is not a power loss: what FULL adds, the sync of each commit to the disk,
 * is not observable here.)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import { Api } from './api-harness.js';

const root = join(import.meta.dirname, '../..');
const workDir = mkdtempSync(join(tmpdir(), 'mas-crash-'));

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

async function start(
  dir: string,
  synchronous: 'NORMAL' | 'FULL',
): Promise<Running> {
  const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
    cwd: root,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      // A port of the kernel's choosing, read back from the banner: a port
      // chosen here and freed before the child binds it (and freed again at
      // each kill) could be taken meanwhile by any other socket on the
      // machine (EADDRINUSE, "service did not start").
      PORT: '0',
      SQLITE_PATH: join(dir, 'mas.sqlite'),
      DATA_DIR: join(dir, 'data'),
      KEYS_DIR: join(dir, 'keys'),
      SQLITE_SYNCHRONOUS: synchronous,
      SCHEDULER_INTERVAL_MS: '0',
      DEMO_DATA: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // The whole banner, up to its last line ("Log in: ..."): the demo users'
  // passwords, generated at the first start, are printed AFTER "Listening
  // on", in writes of their own: waiting for "Listening on" alone could read
  // them before they arrived (the child descheduled between the writes on a
  // CPU under load), and the sign-in with an empty password failed.
  const deadline = Date.now() + 60_000;
  while (!/^Log in: /m.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      throw new Error(`service did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /^Listening on (http:\/\/127\.0\.0\.1:\d+) /m.exec(output)?.[1];
  if (url === undefined) throw new Error(`no address in:\n${output}`);
  return { child, url, output };
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
  rmSync(workDir, { recursive: true, force: true });
});

/** Clients sending at once, each on an episode of its own: their events share commits. */
const CLIENTS = 4;

describe.each(['NORMAL', 'FULL'] as const)(
  'crash safety (SQLite, synchronous=%s, group commit)',
  (synchronous) => {
    it(`after SIGKILL mid-stream every event acknowledged to ${String(CLIENTS)} clients sending at once is in the audit, the snapshots replay, chains verify`, async () => {
      const dir = join(workDir, synchronous);
      let running = await start(dir, synchronous);
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
        // (A refused sign-in would only show later as an odd answer.)
        expect({ username, status: result.status }).toEqual({
          username,
          status: 200,
        });
        return new Api(running.url).as(result.body.token);
      };
      let clinician = await login('demo-clinician', clinicianPassword);
      const panel = panelOf(floridMas, febrileSjia);
      const episodes: {
        id: string;
        collectedAt: string;
        version: number;
        /** Marker → the version (audit seq) of its 201, for every event acknowledged. */
        acknowledged: Map<string, number>;
        /** Markers of requests sent whose answer never came (cut by a kill). */
        inFlight: Set<string>;
      }[] = [];
      for (let client = 0; client < CLIENTS; client += 1) {
        const created = await clinician.request('POST', '/api/episodes', {
          patient: {
            ...amira,
            identifier: `${amira.identifier}-${String(client)}`,
          },
        });
        expect(created.status).toBe(201);
        episodes.push({
          id: created.body.id,
          // The service runs on the wall clock here: the sample is dated by
          // the episode's opening (the service's own time), never by the
          // test's clock.
          collectedAt: created.body.context.openedAt,
          version: 0,
          acknowledged: new Map(),
          inFlight: new Set(),
        });
      }
      // Counted on the clients' side, from the answers they received: each
      // event carries a marker (its rationale) chosen by its client.
      let counter = 0;
      /** The fewest acknowledgements the cycles must have produced. */
      let minimum = 0;
      const acknowledgedCount = () =>
        episodes.reduce((sum, e) => sum + e.acknowledged.size, 0);

      for (let cycle = 0; cycle < 3; cycle += 1) {
        const stopAfter = 15 + cycle * 5;
        const before = acknowledgedCount();
        /** Set when the sending ends: the kill then happens at once. */
        const sending = { ended: false };
        const killed = (async () => {
          while (acknowledgedCount() - before < stopAfter && !sending.ended)
            await new Promise((resolve) => setTimeout(resolve, 5));
          await kill(running);
        })();
        // Each client sends until the process dies; only what was
        // acknowledged counts.
        const send = async (episode: (typeof episodes)[number]) => {
          for (;;) {
            counter += 1;
            const marker = `crash-test event ${String(counter)}`;
            let answer: { status: number; body: any };
            try {
              answer = await clinician.request(
                'POST',
                `/api/episodes/${episode.id}/events`,
                {
                  type: 'labs.recorded',
                  payload: { panel, collectedAt: episode.collectedAt },
                  rationale: marker,
                  expectedVersion: episode.version,
                },
              );
            } catch {
              // No answer: the kill cut it. It may or may not have committed.
              episode.inFlight.add(marker);
              return;
            }
            // An answer but a 201 is a failure of the service, not of the kill.
            if (
              answer.status !== 201 ||
              answer.body.version !== episode.version + 1
            ) {
              throw new Error(
                `unexpected answer ${String(answer.status)} at version ${String(episode.version)}: ${JSON.stringify(answer.body)}`,
              );
            }
            episode.acknowledged.set(marker, answer.body.version);
            episode.version = answer.body.version;
          }
        };
        try {
          await Promise.all(episodes.map(send));
        } finally {
          // (The kill happens now if the sending ended before it.)
          sending.ended = true;
        }
        minimum += stopAfter;
        await killed;
        running = await start(dir, synchronous);
        current = running;
        clinician = await login('demo-clinician', clinicianPassword);
        for (const episode of episodes) {
          const stored = await clinician.request(
            'GET',
            `/api/episodes/${episode.id}`,
          );
          // Never fewer than acknowledged; more only by what was in flight.
          expect(stored.body.version).toBeGreaterThanOrEqual(
            episode.acknowledged.size,
          );
          expect(stored.body.version).toBeLessThanOrEqual(
            episode.acknowledged.size + episode.inFlight.size,
          );
          // The next request builds on what is stored (an in-flight event
          // may have committed without its answer reaching the client).
          episode.version = stored.body.version;
        }
      }
      expect(acknowledgedCount()).toBeGreaterThanOrEqual(minimum);

      const auditor = await login('demo-auditor', auditorPassword);
      for (const episode of episodes) {
        const audit = await auditor.request(
          'GET',
          `/api/episodes/${episode.id}/audit`,
        );
        // (Any other answer named with its body, not as a missing array.)
        expect({
          status: audit.status,
          isList: Array.isArray(audit.body),
        }).toEqual({ status: 200, isList: true });
        const entries = audit.body as {
          seq: number;
          rationale: string | null;
        }[];
        // Every event the client saw acknowledged is in the audit, at the
        // seq its acknowledgement named ...
        const seqOf = new Map(entries.map((e) => [e.rationale ?? '', e.seq]));
        const lost = [...episode.acknowledged].filter(
          ([marker, seq]) => seqOf.get(marker) !== seq,
        );
        expect(lost).toEqual([]);
        // ... and the audit holds nothing else but events that were in
        // flight.
        const unexpected = entries.filter(
          (e) =>
            !episode.acknowledged.has(e.rationale ?? '') &&
            !episode.inFlight.has(e.rationale ?? ''),
        );
        expect(unexpected).toEqual([]);
        expect(entries.length).toBeLessThanOrEqual(
          episode.acknowledged.size + episode.inFlight.size,
        );
        expect(entries.map((e) => e.seq)).toEqual(
          Array.from({ length: entries.length }, (_, i) => i + 1),
        );
        const stored = await auditor.request(
          'GET',
          `/api/episodes/${episode.id}`,
        );
        const replay = await auditor.request(
          'GET',
          `/api/episodes/${episode.id}/state?at=2100-01-01T00:00:00Z`,
        );
        expect(replay.body.value).toEqual(stored.body.value);
        expect(replay.body.context.lastPanel).toEqual(
          stored.body.context.lastPanel,
        );
      }
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
  },
);
