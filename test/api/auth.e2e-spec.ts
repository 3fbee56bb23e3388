/**
 * Login tokens on the service's clock: they expire when it says so, and the
 * guard's memo of checked tokens never outlives a token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { Api, type Harness, startHarness } from './api-harness.js';

const PASSWORD = 'correct horse battery staple';
const TTL_SECONDS = 3600;

describe('login tokens (SQLite)', () => {
  let harness: Harness;
  let api: Api;

  beforeAll(async () => {
    harness = await startHarness('sqlite', { tokenTtlSeconds: TTL_SECONDS });
    api = new Api(harness.service.url);
    await harness.service.users.create('dr-time', PASSWORD, 'clinician');
  });

  afterAll(async () => {
    await harness.close();
  });

  const login = async () => {
    const answer = await api.request('POST', '/api/auth/login', {
      username: 'dr-time',
      password: PASSWORD,
    });
    expect(answer.status).toBe(200);
    return answer.body.token as string;
  };

  it('a token works until its lifetime on the service clock has passed, then 401 every time; a new login works', async () => {
    const token = await login();
    const protocol = () => api.as(token).request('GET', '/api/protocol');
    expect((await protocol()).status).toBe(200);
    // Used again (the guard's memo) just before the end of its lifetime.
    harness.clock.advance((TTL_SECONDS - 1) * 1000);
    expect((await protocol()).status).toBe(200);
    harness.clock.advance(2000);
    const expired = await protocol();
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/invalid or expired/);
    expect((await protocol()).status).toBe(401);
    const fresh = await login();
    expect((await api.as(fresh).request('GET', '/api/protocol')).status).toBe(
      200,
    );
  });

  it('a token with a changed signature is refused even after the genuine one was accepted', async () => {
    const token = await login();
    expect((await api.as(token).request('GET', '/api/protocol')).status).toBe(
      200,
    );
    const [head, body, signature] = token.split('.');
    const forged = `${head ?? ''}.${body ?? ''}.${(signature ?? '').slice(0, -2)}AA`;
    expect((await api.as(forged).request('GET', '/api/protocol')).status).toBe(
      401,
    );
  });
});
