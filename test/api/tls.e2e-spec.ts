/**
 * HTTPS served directly (TLS_CERT, TLS_KEY): the API over TLS with a
 * certificate the test makes (selfsigned), HSTS, and the device cookie
 * marked Secure; a half configuration is refused by name.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate } from 'selfsigned';

import { loadConfiguration } from '@mas/api';

import { type Harness, PASSWORD, startHarness } from './api-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'mas-tls-'));
let harness: Harness | undefined;
let ca = '';

/** One HTTPS request trusting the test's certificate. */
function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  const url = new URL(path, harness?.service.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca,
        headers:
          body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    extensions: [
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  ca = pems.cert;
  writeFileSync(join(dir, 'cert.pem'), pems.cert);
  writeFileSync(join(dir, 'key.pem'), pems.private, { mode: 0o600 });
  harness = await startHarness('sqlite', {
    env: { TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem') },
  });
  await harness.service.users.create('dr-adams', PASSWORD, 'clinician');
}, 60_000);

afterAll(async () => {
  await harness?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTPS served directly', () => {
  it('the API answers over TLS, with HSTS, and the device cookie is Secure', async () => {
    expect(harness?.service.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await call('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=/);
    const login = await call('POST', '/api/auth/login', {
      username: 'dr-adams',
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
  });

  it('a certificate without its key (or the reverse) is refused, naming the variable', () => {
    expect(() =>
      loadConfiguration({ TLS_CERT: join(dir, 'cert.pem') }),
    ).toThrow('configuration: TLS_KEY: TLS_CERT and TLS_KEY go together');
    expect(() => loadConfiguration({ TLS_KEY: join(dir, 'key.pem') })).toThrow(
      /TLS_KEY: TLS_CERT and TLS_KEY go together/,
    );
  });
});
