import { describe, expect, it } from '@jest/globals';

import { hashPassword, verifyPassword } from '../auth/password.util.js';
import { ConfigurationError, loadConfiguration } from './configuration.js';

describe('configuration', () => {
  it('has working defaults: SQLite under data/, port 3000', () => {
    expect(loadConfiguration({})).toMatchObject({
      PORT: 3000,
      SQLITE_PATH: 'data/mas.sqlite',
      SQLITE_SYNCHRONOUS: 'NORMAL',
      // No demo users or episodes unless asked for.
      DEMO_DATA: false,
    });
    expect(loadConfiguration({ DEMO_DATA: 'true' }).DEMO_DATA).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [
      { DATABASE_URL: 'mysql://x' },
      /DATABASE_URL: must be a postgres:\/\/ URL/,
    ],
    [
      { ADMIN_PASSWORD: 'short' },
      /ADMIN_PASSWORD: must be at least 12 characters/,
    ],
    [{ JWT_SECRET: 'abc' }, /JWT_SECRET/],
    [{ SQLITE_SYNCHRONOUS: 'OFF' }, /SQLITE_SYNCHRONOUS/],
    [{ DEMO_DATA: 'yes' }, /DEMO_DATA: must be true or false/],
  ])('%p stops the start, naming the variable', (env, message) => {
    expect(() => loadConfiguration(env)).toThrow(ConfigurationError);
    expect(() => loadConfiguration(env)).toThrow(message);
  });
});

describe('passwords', () => {
  it('are hashed with scrypt (salted) and verified', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
    await expect(
      verifyPassword('correct horse battery staple', hash),
    ).resolves.toBe(true);
    await expect(verifyPassword('wrong', hash)).resolves.toBe(false);
    await expect(verifyPassword('x', 'md5$abc')).resolves.toBe(false);
  });
});
