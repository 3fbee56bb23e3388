/**
 * The service killed with SIGKILL while a client sends events: after the
 * restart every acknowledged event is in the audit, the snapshot equals a
 * replay of the audit, and every chain verifies. A few cycles, not dozens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';

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

async function start(port: number): Promise<Running> {
  // One process (tsx as a loader, not its CLI, which would fork a child
  // that SIGKILL would not reach).
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'apps/api/src/main.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        TSX_TSCONFIG_PATH: join(root, 'apps/api/tsconfig.json'),
        PORT: String(port),
        SQLITE_PATH: join(dir, 'mas.sqlite'),
        DATA_DIR: dir,
        SCHEDULER_INTERVAL_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('crash safety (SQLite, synchronous=NORMAL)', () => {
  it('after SIGKILL mid-stream every acknowledged event is in the audit, the snapshot replays, chains verify', async () => {
    const port = await freePort();
    let running = await start(port);
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
    let acknowledged = 0;
    let version = 0;

    for (let cycle = 0; cycle < 3; cycle += 1) {
      const stopAfter = 15 + cycle * 5;
      let sent = 0;
      const killed = (async () => {
        while (sent < stopAfter)
          await new Promise((resolve) => setTimeout(resolve, 5));
        await kill(running);
      })();
      // Send until the process dies; count only what was acknowledged.
      for (;;) {
        sent += 1;
        try {
          const result = await clinician.request(
            'POST',
            `/api/episodes/${id}/events`,
            {
              type: 'labs.recorded',
              payload: { panel },
              expectedVersion: version,
            },
          );
          if (result.status !== 201)
            throw new Error(`unexpected ${result.status}`);
          acknowledged += 1;
          version = result.body.version;
        } catch {
          break;
        }
      }
      await killed;
      running = await start(port);
      clinician = await login('demo-clinician', clinicianPassword);
      const current = await clinician.request('GET', `/api/episodes/${id}`);
      // An event may have committed without its answer reaching us: never fewer.
      expect(current.body.version).toBeGreaterThanOrEqual(acknowledged);
      version = current.body.version;
      acknowledged = version;
    }

    const auditor = await login('demo-auditor', auditorPassword);
    const audit = await auditor.request('GET', `/api/episodes/${id}/audit`);
    expect(audit.body).toHaveLength(acknowledged);
    expect(audit.body.map((e: { seq: number }) => e.seq)).toEqual(
      Array.from({ length: acknowledged }, (_, i) => i + 1),
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
    const verify = await auditor.request('GET', '/api/audit/verify');
    expect(verify.body).toMatchObject({ ok: true, broken: [] });
    await kill(running);
  }, 240_000);
});
