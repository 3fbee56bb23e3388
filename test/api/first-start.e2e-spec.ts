/**
 * The first start on an empty database: the admin account always; demo
 * users and demo episodes only when `DEMO_DATA=true` (as `npm start` sets),
 * never silently on a production database.
 */
import { afterEach, describe, expect, it } from '@jest/globals';

import { loadConfiguration, seedDemoData } from '@mas/api';

import { Api, type Harness, startHarness } from './api-harness.js';

describe('first start on an empty database', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function firstStart(env: Record<string, string>) {
    harness = await startHarness('sqlite');
    const credentials = await seedDemoData(
      loadConfiguration(env),
      harness.service.users,
      harness.service.episodes,
      harness.clock,
    );
    const api = new Api(harness.service.url);
    const login = async (username: string) => {
      const password =
        credentials.find((c) => c.username === username)?.password ??
        'not a password of anyone';
      return api.request('POST', '/api/auth/login', { username, password });
    };
    return { credentials, api, login };
  }

  it('without DEMO_DATA: the admin account alone, no demo user, no episode', async () => {
    const { credentials, login } = await firstStart({});
    expect(credentials.map((c) => [c.username, c.role])).toEqual([
      ['admin', 'admin'],
    ]);
    expect((await login('admin')).status).toBe(200);
    expect((await login('demo-clinician')).status).toBe(401);
    expect(await harness?.service.users.count()).toBe(1);
  });

  it('with DEMO_DATA=true: demo users with generated passwords, and demo episodes', async () => {
    const { credentials, api, login } = await firstStart({
      DEMO_DATA: 'true',
    });
    expect(credentials.map((c) => c.username)).toEqual(
      expect.arrayContaining(['admin', 'demo-clinician', 'demo-auditor']),
    );
    const clinician = await login('demo-clinician');
    expect(clinician.status).toBe(200);
    const list = await api
      .as(clinician.body.token as string)
      .request('GET', '/api/episodes');
    expect(list.status).toBe(200);
    expect(list.body.total).toBeGreaterThan(0);
  });

  it('never on a database that already has users', async () => {
    harness = await startHarness('sqlite');
    await harness.service.users.create(
      'dr-first',
      'correct horse battery staple',
      'clinician',
    );
    const credentials = await seedDemoData(
      loadConfiguration({ DEMO_DATA: 'true' }),
      harness.service.users,
      harness.service.episodes,
      harness.clock,
    );
    expect(credentials).toEqual([]);
    expect(await harness.service.users.count()).toBe(1);
  });
});
