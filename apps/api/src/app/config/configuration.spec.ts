import { describe, expect, it } from '@jest/globals';

import {
  hashPassword,
  needsRehash,
  verifyPassword,
} from '../auth/password.util.js';
import { ConfigurationError, loadConfiguration } from './configuration.js';

/** A complete single sign-on configuration. */
const SSO: Record<string, string | undefined> = {
  OIDC_ISSUER: 'https://idp.example/realms/hospital',
  OIDC_CLIENT_ID: 'mas',
  OIDC_REDIRECT_URI: 'https://mas.example/api/auth/oidc/callback',
  OIDC_ROLE_CLAIM: 'realm_access.roles',
  OIDC_ROLE_MAP: 'mas-senior=senior, mas-clinician = clinician',
};

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

  it('trusts no proxy unless told which: addresses and CIDR ranges (IPv4, IPv6), or true', () => {
    expect(loadConfiguration({}).TRUST_PROXY).toBeUndefined();
    expect(
      loadConfiguration({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1, fd00::/8' })
        .TRUST_PROXY,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    expect(loadConfiguration({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
  });

  it('reads single sign-on: the role map in its order, http only when allowed', () => {
    expect(loadConfiguration(SSO)).toMatchObject({
      OIDC_ROLE_MAP: [
        ['mas-senior', 'senior'],
        ['mas-clinician', 'clinician'],
      ],
      OIDC_SCOPES: 'openid profile',
      OIDC_USERNAME_CLAIM: 'preferred_username',
      OIDC_ALLOW_HTTP: false,
    });
    expect(
      loadConfiguration({
        ...SSO,
        OIDC_ISSUER: 'http://127.0.0.1:4000',
        OIDC_ALLOW_HTTP: 'true',
      }).OIDC_ISSUER,
    ).toBe('http://127.0.0.1:4000');
    expect(loadConfiguration({}).OIDC_ISSUER).toBeUndefined();
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
    [{ ...SSO, OIDC_CLIENT_ID: undefined }, /OIDC_CLIENT_ID: is needed/],
    [{ ...SSO, OIDC_ROLE_MAP: undefined }, /OIDC_ROLE_MAP: is needed/],
    [{ ...SSO, OIDC_ISSUER: 'not a url' }, /OIDC_ISSUER: must be a URL/],
    [
      { ...SSO, OIDC_ISSUER: 'http://idp.example' },
      /OIDC_ISSUER: must be https/,
    ],
    [
      { ...SSO, OIDC_REDIRECT_URI: 'https://mas.example/callback' },
      /OIDC_REDIRECT_URI: must end in \/api\/auth\/oidc\/callback/,
    ],
    [
      { ...SSO, OIDC_ROLE_MAP: 'mas-doctor=doctor' },
      /OIDC_ROLE_MAP: "mas-doctor=doctor" is not value=role/,
    ],
    [
      { ...SSO, OIDC_ROLE_MAP: 'mas-senior' },
      /OIDC_ROLE_MAP: "mas-senior" is not value=role/,
    ],
    [{ PASSWORD_SCRYPT_COST: '9' }, /PASSWORD_SCRYPT_COST/],
    [{ PASSWORD_SCRYPT_COST: '19' }, /PASSWORD_SCRYPT_COST/],
    [{ PASSWORD_SCRYPT_COST: '15.5' }, /PASSWORD_SCRYPT_COST/],
    [{ TRUST_PROXY: '2' }, /TRUST_PROXY: .*\("2" is neither\)/],
    [
      { TRUST_PROXY: '10.0.0.1, proxy.example' },
      /TRUST_PROXY: .*\("proxy\.example" is neither\)/,
    ],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /TRUST_PROXY: .*\("10\.0\.0\.0\/33"/],
    [{ TRUST_PROXY: '10.0.0.0/8/1' }, /TRUST_PROXY: .*\("10\.0\.0\.0\/8\/1"/],
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

  it('are made at the work factor set (default 15) and verified at the one they were made with', async () => {
    expect(loadConfiguration({}).PASSWORD_SCRYPT_COST).toBe(15);
    const cheap = await hashPassword('correct horse battery staple', 10);
    expect(cheap).toMatch(/^scrypt\$1024\$8\$1\$/);
    await expect(
      verifyPassword('correct horse battery staple', cheap),
    ).resolves.toBe(true);
    await expect(verifyPassword('wrong', cheap)).resolves.toBe(false);
    // Made again at the next login when the setting is higher, never lower.
    expect(needsRehash(cheap, 10)).toBe(false);
    expect(needsRehash(cheap, 15)).toBe(true);
    const stronger = await hashPassword('correct horse battery staple', 11);
    expect(needsRehash(stronger, 10)).toBe(false);
  });

  it('refuse a stored hash whose parameters this service never writes (a forged row cannot make a login take minutes or gigabytes)', async () => {
    const good = await hashPassword('correct horse battery staple', 10);
    const [, , , , salt, key] = good.split('$');
    for (const [n, r, p] of [
      ['512', '8', '1'], // below the lowest work factor
      ['1048576', '8', '1'], // 2^20: above the highest
      ['1000', '8', '1'], // not a power of two
      ['1024', '64', '1'], // another block size
      ['1024', '8', '4'], // another parallelism
      ['0x400', '8', '1'], // numbers only in decimal digits
      ['1024.0', '8', '1'],
      [' 1024', '8', '1'],
      ['', '8', '1'],
    ]) {
      await expect(
        verifyPassword(
          'correct horse battery staple',
          ['scrypt', n, r, p, salt, key].join('$'),
        ),
      ).resolves.toBe(false);
    }
    await expect(
      verifyPassword('correct horse battery staple', `${good}$extra`),
    ).resolves.toBe(false);
  });
});
