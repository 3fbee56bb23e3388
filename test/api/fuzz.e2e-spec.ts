/**
 * Property-based fuzzing of the API: thousands of malformed bodies, types,
 * headers and ids. Every answer is a 4xx, never a 5xx, and no episode or
 * audit row changes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { episodeEventTypes } from '@mas/contracts';
import { amira } from '@mas/testing';

import { Api, type Harness, startHarness } from './api-harness.js';

const PASSWORD = 'correct horse battery staple';

describe('fuzzing the API (SQLite)', () => {
  let harness: Harness;
  let api: Api;
  let episodeId: string;

  beforeAll(async () => {
    harness = await startHarness('sqlite');
    await harness.service.users.create('dr-fuzz', PASSWORD, 'clinician');
    const login = await new Api(harness.service.url).request(
      'POST',
      '/api/auth/login',
      { username: 'dr-fuzz', password: PASSWORD },
    );
    api = new Api(harness.service.url).as(login.body.token);
    const created = await api.request('POST', '/api/episodes', {
      patient: amira,
    });
    episodeId = created.body.id;
    // One event, so that the episode is at version 1.
    const first = await api.request(
      'POST',
      `/api/episodes/${episodeId}/events`,
      {
        type: 'labs.recorded',
        payload: { panel: {} },
        expectedVersion: 0,
      },
    );
    expect(first.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await harness.close();
  });

  async function database(): Promise<string> {
    const episodes = await harness.query(
      'SELECT id, version, snapshot FROM episodes ORDER BY id',
    );
    const audit = await harness.query(
      'SELECT id, hash FROM audit_entries ORDER BY id',
    );
    return JSON.stringify({ episodes, audit });
  }

  const junk = fc.oneof(
    fc.anything(),
    fc.string(),
    fc.integer(),
    fc.constant(null),
    fc.array(fc.anything(), { maxLength: 3 }),
  );
  const badVersion = fc.oneof(
    fc.constant(-1),
    fc.double({ noInteger: true }),
    fc.string(),
    fc.constant(null),
    fc.integer({ min: 2 }),
  );
  const eventBody = fc.oneof(
    junk,
    fc.record({
      type: fc.string(),
      payload: junk,
      expectedVersion: fc.oneof(fc.constant(0), badVersion),
    }),
    fc.record({
      type: fc.constantFrom(...episodeEventTypes),
      payload: junk,
      expectedVersion: badVersion,
    }),
    fc.record(
      {
        type: fc.constantFrom(...episodeEventTypes),
        payload: junk,
        expectedVersion: fc.constant(1),
        occurredAt: fc.string(),
        extra: junk,
      },
      { requiredKeys: ['type', 'expectedVersion', 'extra'] },
    ),
  );

  it('malformed event bodies, ids and headers: 4xx only, nothing written', async () => {
    const before = await database();
    await fc.assert(
      fc.asyncProperty(
        eventBody,
        fc.oneof(fc.constant('valid'), fc.string(), fc.uuid()),
        fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 })),
        fc.boolean(),
        async (body, idChoice, idempotencyKey, rawText) => {
          const id =
            idChoice === 'valid' ? episodeId : encodeURIComponent(idChoice);
          const headers: Record<string, string> = {};
          if (idempotencyKey !== undefined)
            headers['idempotency-key'] = `${idempotencyKey}-${Math.random()}`;
          const payload = rawText
            ? `${(JSON.stringify(body) as string | undefined) ?? ''}}`
            : body === undefined
              ? null
              : body;
          const result = await api.request(
            'POST',
            `/api/episodes/${id}/events`,
            payload,
            headers,
          );
          expect(result.status).toBeGreaterThanOrEqual(400);
          expect(result.status).toBeLessThan(500);
        },
      ),
      { numRuns: 1500 },
    );
    expect(await database()).toBe(before);
  }, 300_000);

  it('malformed episodes, queries and tokens: 4xx only', async () => {
    const before = await database();
    await fc.assert(
      fc.asyncProperty(junk, fc.string(), async (body, text) => {
        const created = await api.request('POST', '/api/episodes', {
          patient: body,
        });
        expect(created.status).toBe(400);
        const state = await api.request(
          'GET',
          `/api/episodes/${episodeId}/state?at=${encodeURIComponent(text)}`,
        );
        expect([200, 400]).toContain(state.status);
        const token = await new Api(harness.service.url)
          .as(text)
          .request('GET', '/api/episodes');
        expect(token.status).toBe(401);
        const login = await new Api(harness.service.url).request(
          'POST',
          '/api/auth/login',
          body,
        );
        expect([400, 401]).toContain(login.status);
      }),
      { numRuns: 500 },
    );
    expect(await database()).toBe(before);
  }, 300_000);
});
