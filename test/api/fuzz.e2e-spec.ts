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
import { labs, therapy } from './clinical-records.js';

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
        payload: labs({}, harness.clock.now().toISOString()),
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

  it('well-formed records at any clinical time: taken within the limits, else a 400 naming the time; the episode clock never passes the service clock', async () => {
    const MINUTE = 60_000;
    const DAY = 1440 * MINUTE;
    const created = await api.request('POST', '/api/episodes', {
      patient: amira,
    });
    const id = created.body.id as string;
    const opened = Date.parse(created.body.context.openedAt as string);
    let version = 0;
    /**
     * An instant: close to a limit (the service's "now", the opening, the
     * start of the look-back), anywhere in the last weeks, or up to 2100.
     */
    const when = fc.oneof(
      fc.record({
        anchor: fc.constantFrom('now', 'opened', 'look-back'),
        offset: fc.integer({ min: -15 * MINUTE, max: 15 * MINUTE }),
      }),
      fc.record({
        anchor: fc.constant('now'),
        offset: fc.integer({ min: -20 * DAY, max: 0 }),
      }),
      fc.record({
        absolute: fc.date({
          min: new Date('1990-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('labs.recorded', 'therapy.started'),
        when,
        // The event's own time: none (now), any instant, or close to the
        // clinical time (recorded just before or after it was given).
        fc.option(
          fc.oneof(
            when,
            fc.record({
              sinceClinical: fc.integer({
                min: -15 * MINUTE,
                max: 15 * MINUTE,
              }),
            }),
          ),
          { nil: undefined },
        ),
        fc.boolean(),
        fc.integer({ min: 0, max: 120 }),
        async (type, clinical, occurred, withRationale, minutesLater) => {
          harness.clock.advance(minutesLater * MINUTE);
          const now = harness.clock.now().getTime();
          const anchors = {
            now,
            opened,
            'look-back': opened - 14 * DAY,
          };
          const instant = (w: typeof clinical) =>
            'absolute' in w
              ? w.absolute.getTime()
              : anchors[w.anchor] + w.offset;
          const clinicalMs = instant(clinical);
          const at = new Date(clinicalMs).toISOString();
          const occurredMs =
            occurred === undefined
              ? undefined
              : 'sinceClinical' in occurred
                ? clinicalMs + occurred.sinceClinical
                : instant(occurred);
          const result = await api.request(
            'POST',
            `/api/episodes/${id}/events`,
            {
              type,
              payload:
                type === 'labs.recorded'
                  ? labs({}, at)
                  : therapy('methylprednisolone', at),
              expectedVersion: version,
              ...(occurredMs === undefined
                ? {}
                : { occurredAt: new Date(occurredMs).toISOString() }),
              ...(withRationale ? { rationale: 'recorded late' } : {}),
            },
          );
          // The recording rules: not past the service's clock by more than
          // 5 min, not more than 14 days before the opening, before it only
          // with a rationale; checked on the event's time first.
          const field = type === 'labs.recorded' ? 'collectedAt' : 'givenAt';
          const times: [string, number][] = [
            ...(occurredMs === undefined
              ? []
              : [['body.occurredAt', occurredMs] as [string, number]]),
            [`body.payload.${field}`, clinicalMs],
          ];
          const broken = times.find(
            ([, ms]) =>
              ms > now + 5 * MINUTE ||
              ms < opened - 14 * DAY ||
              (ms < opened && !withRationale),
          );
          // And the machine's: nothing given or drawn after it was recorded.
          const recordedAt = occurredMs ?? now;
          const expected = broken
            ? { status: 400, field: broken[0] }
            : clinicalMs > recordedAt + 5 * MINUTE
              ? { status: 422 }
              : { status: 201 };
          expect({
            status: result.status,
            ...(result.status === 400 ? { field: result.body.field } : {}),
          }).toEqual(expected);
          if (result.status === 201) version = result.body.version as number;
          const episode = await api.request('GET', `/api/episodes/${id}`);
          expect(episode.body.version).toBe(version);
          expect(
            Date.parse(episode.body.context.now as string),
          ).toBeLessThanOrEqual(now + 5 * MINUTE);
        },
      ),
      { numRuns: 300 },
    );
    expect(version).toBeGreaterThan(0);
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
