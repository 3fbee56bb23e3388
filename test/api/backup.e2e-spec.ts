/**
 * `cli backup` and `cli restore` on the embedded database: a copy taken
 * while the service runs restores to a database that verifies and serves
 * the same episodes; a file that is not such a database, or a restore over
 * a database without --force, is refused by name.
 */
import { spawnSync } from 'node:child_process';
import { createSecretKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect } from '@jest/globals';

import {
  ephemeralKeys,
  loadConfiguration,
  type RunningService,
  startService,
} from '@mas/api';
import { amira, ben, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  Api,
  exampleProfile,
  postgresRequirement,
  signedInSuite,
} from './api-harness.js';
import { labs } from './clinical-records.js';

const root = join(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'mas-backup-'));
const pgRequirement = await postgresRequirement();
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('backup and restore of the embedded database', () => {
  const suite = signedInSuite('sqlite', pgRequirement, [
    ['dr-adams', 'clinician'],
    ['auditor-ames', 'auditor'],
  ]);
  let restored: RunningService | undefined;
  afterAll(async () => {
    await restored?.close();
  });

  /** The CLI itself, as a process, on the harness's database and keys. */
  function cli(...args: string[]) {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'apps/cli/src/main.ts'), ...args],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '', ...suite.harness.adminEnv },
        timeout: 120_000,
      },
    );
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  suite.maybe(
    'a copy taken while the service runs restores to a database that verifies and serves the same episodes',
    async () => {
      const ids: string[] = [];
      for (const patient of [amira, ben]) {
        const created = await suite
          .as('dr-adams')
          .request('POST', '/api/episodes', { patient });
        ids.push(created.body.id as string);
        const sent = await suite
          .as('dr-adams')
          .request(
            'POST',
            `/api/episodes/${created.body.id as string}/events`,
            {
              type: 'labs.recorded',
              expectedVersion: 0,
              payload: labs(
                panelOf(floridMas, febrileSjia),
                suite.harness.clock.now().toISOString(),
              ),
            },
          );
        expect(sent.status).toBe(201);
      }
      const copy = join(scratch, 'copy.sqlite');
      const backup = cli('backup', '--to', copy);
      expect(backup).toMatchObject({ code: 0, stderr: '' });
      expect(backup.stdout).toContain(`to ${copy}`);
      expect((statSync(copy).mode & 0o777).toString(8)).toBe('600');

      const target = join(scratch, 'restored.sqlite');
      const restore = cli('restore', '--from', copy, '--database', target);
      expect({ code: restore.code, stderr: restore.stderr }).toEqual({
        code: 0,
        stderr: '',
      });
      expect(restore.stdout).toContain('ok: every entry authenticated');

      // The restored database, served with the same keys.
      const env = suite.harness.adminEnv;
      restored = await startService({
        config: loadConfiguration({
          PORT: '0',
          SQLITE_PATH: target,
          SCHEDULER_INTERVAL_MS: '0',
          TOKEN_TTL_SECONDS: String(30 * 86_400),
        }),
        clock: suite.harness.clock,
        profile: exampleProfile,
        keys: {
          ...ephemeralKeys(),
          jwtSecret: env['JWT_SECRET'] ?? '',
          audit: createSecretKey(Buffer.from(env['AUDIT_KEY'] ?? '', 'utf8')),
        },
      });
      const token = suite.token('dr-adams');
      const auditor = suite.token('auditor-ames');
      for (const id of ids) {
        const before = await suite
          .as('dr-adams')
          .request('GET', `/api/episodes/${id}`);
        const after = await new Api(restored.url)
          .as(token)
          .request('GET', `/api/episodes/${id}`);
        expect(after.status).toBe(200);
        expect(after.body).toEqual(before.body);
      }
      const verify = await new Api(restored.url)
        .as(auditor)
        .request('GET', '/api/audit/verify?replay=true');
      expect(verify.body).toMatchObject({ ok: true, broken: [] });
      expect(verify.body.entries).toBe(2);
    },
    180_000,
  );

  suite.maybe(
    'a file that is not a database of the service, or a restore over a database without --force, is refused by name',
    () => {
      const junk = join(scratch, 'junk.sqlite');
      writeFileSync(junk, 'not a database at all');
      const fromJunk = cli(
        'restore',
        '--from',
        junk,
        '--database',
        join(scratch, 'never.sqlite'),
      );
      expect(fromJunk.code).toBe(2);
      expect(fromJunk.stderr).toMatch(/not a readable SQLite database/);
      const over = cli('restore', '--from', junk);
      expect(over.code).toBe(2);
      expect(over.stderr).toMatch(/exists: stop the service and add --force/);
      const noTarget = cli('backup');
      expect(noTarget).toMatchObject({ code: 2, stderr: '--to is required\n' });
    },
    180_000,
  );
});
