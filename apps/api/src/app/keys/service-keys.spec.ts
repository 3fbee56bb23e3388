import { createHmac } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import { loadServiceKeys } from './service-keys.js';

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mas-keys-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0))
    rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const macOf = (keys: ReturnType<typeof loadServiceKeys>) =>
  createHmac('sha256', keys.audit).update('x').digest('hex');

describe('service keys, kept apart from the data', () => {
  it('are generated once in their own folder (0700), each file 0600, and read back the same', () => {
    const root = scratch();
    const sources = {
      keysDir: join(root, 'keys'),
      dataDir: join(root, 'data'),
    };
    const first = loadServiceKeys(sources);
    expect(mode(join(root, 'keys'))).toBe('700');
    for (const name of ['jwt-secret', 'audit-key', 'checkpoint-ed25519.pem']) {
      expect({ name, mode: mode(join(root, 'keys', name)) }).toEqual({
        name,
        mode: '600',
      });
    }
    expect(existsSync(join(root, 'data'))).toBe(false);
    const again = loadServiceKeys(sources);
    expect(again.jwtSecret).toBe(first.jwtSecret);
    expect(macOf(again)).toBe(macOf(first));
    expect(again.checkpoint.keyId).toBe(first.checkpoint.keyId);
    expect(first.checkpoint.keyId).toMatch(/^ed25519:[0-9a-f]{64}$/);
  });

  it('keys given in the environment are used, and no file is written for them', () => {
    const root = scratch();
    const keys = loadServiceKeys({
      keysDir: join(root, 'keys'),
      dataDir: join(root, 'data'),
      jwtSecret: 's'.repeat(40),
      auditKey: 'a'.repeat(40),
    });
    expect(keys.jwtSecret).toBe('s'.repeat(40));
    expect(existsSync(join(root, 'keys', 'jwt-secret'))).toBe(false);
    expect(existsSync(join(root, 'keys', 'audit-key'))).toBe(false);
    expect(macOf(keys)).toBe(
      createHmac('sha256', 'a'.repeat(40)).update('x').digest('hex'),
    );
  });

  it('a signing key an older version kept in the data folder is moved out of it, still valid', () => {
    const root = scratch();
    mkdirSync(join(root, 'data'));
    writeFileSync(
      join(root, 'data', 'jwt-secret'),
      'legacy-secret-'.repeat(4),
      {
        mode: 0o644,
      },
    );
    const keys = loadServiceKeys({
      keysDir: join(root, 'keys'),
      dataDir: join(root, 'data'),
    });
    expect(keys.jwtSecret).toBe('legacy-secret-'.repeat(4));
    expect(existsSync(join(root, 'data', 'jwt-secret'))).toBe(false);
    expect(readFileSync(join(root, 'keys', 'jwt-secret'), 'utf8')).toBe(
      'legacy-secret-'.repeat(4),
    );
    expect(mode(join(root, 'keys', 'jwt-secret'))).toBe('600');
  });
});
