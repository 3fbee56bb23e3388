/**
 * Property-based fuzzing of the API, on both ENGINES: thousands of malformed
 * bodies, types, headers and ids, and hostile values (NUL and other control
 * characters, lone surrogates, texts longer than their columns, numbers at
 * the ends of the double range) in every kind of field. Every answer is a
 * 4xx, never a 5xx, and no episode or audit row changes.
 */
import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import fc from 'fast-check';

import { episodeEventTypes } from '@mas/contracts';
import { amira } from '@mas/testing';

import {
  Api,
  ENGINES,
  type Harness,
  postgresRequirement,
  startHarness,
  testUnder,
} from './api-harness.js';
import { labs, therapy } from './clinical-records.js';

const PASSWORD = 'correct horse battery staple';

const pgRequirement = await postgresRequirement();

describe.each(ENGINES)('fuzzing the API (%s)', (engine) => {
  const skip = engine === 'postgres' && pgRequirement.mode !== 'run';
  const maybe = testUnder(
    engine === 'postgres' ? pgRequirement : { mode: 'run' },
  );
  let harness: Harness;
  let api: Api;
  let episodeId: string;

  beforeAll(async () => {
    if (skip) return;
    harness = await startHarness(engine);
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
    if (!skip) await harness.close();
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

  maybe(
    'malformed event bodies, ids and headers: 4xx only, nothing written',
    async () => {
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
    },
    300_000,
  );

  maybe(
    'well-formed records at any clinical time: taken within the limits, else a 400 naming the time; the episode clock never passes the service clock',
    async () => {
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
            // 5 min, not more than 14 days before the opening, before it
            // (past the same 5 min of clock skew) only with a rationale;
            // checked on the event's time first.
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
                (ms < opened - 5 * MINUTE && !withRationale),
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
    },
    300_000,
  );

  maybe(
    'malformed episodes, queries and tokens: 4xx only',
    async () => {
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
    },
    300_000,
  );

  /** Text no record can hold (control characters, lone surrogates). */
  const unholdable = fc.oneof(
    fc.constantFrom(
      '\u0000',
      'MRN\u0000123',
      '\u0001',
      '\u001f',
      '\u007f',
      '\ud800',
      'x\udfffy',
    ),
    fc
      .string({ unit: 'binary', minLength: 1, maxLength: 20 })
      .filter((t) => /[\p{Cc}\p{Cs}]/u.test(t.replace(/[\t\n\r]/g, ''))),
  );
  /** ... or text longer than any short column. */
  const hostileText = fc.oneof(
    unholdable,
    fc.string({ minLength: 101, maxLength: 3000 }),
  );
  /**
   * A text percent-encoded as a client might send it, a lone surrogate as
   * the three bytes of its (invalid) UTF-8 form (encodeURIComponent refuses
   * it).
   */
  const percentEncoded = (text: string) =>
    Array.from(text)
      .map((ch) => {
        const code = ch.charCodeAt(0);
        if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) {
          return [
            0xe0 | (code >> 12),
            0x80 | ((code >> 6) & 63),
            0x80 | (code & 63),
          ]
            .map((b) => `%${b.toString(16).toUpperCase()}`)
            .join('');
        }
        return encodeURIComponent(ch);
      })
      .join('');
  /** Numbers at the ends of what a double holds. */
  const hostileNumber = fc.constantFrom(
    1e308,
    -1e308,
    5e-324,
    -0,
    2 ** 53 + 2,
    1e18,
    -1e18,
  );

  maybe(
    'hostile text and numbers in a new episode, an event, a list query and a login: 4xx only, nothing written',
    async () => {
      const before = await database();
      await fc.assert(
        fc.asyncProperty(
          hostileText,
          unholdable,
          hostileNumber,
          fc.constantFrom(
            'identifier',
            'sex',
            'underlyingDisease',
            'birthDate',
          ),
          fc.constantFrom('weightKg', 'heightCm'),
          async (text, bad, number, textField, numberField) => {
            const created = await api.request('POST', '/api/episodes', {
              patient: { ...amira, [textField]: text, [numberField]: number },
            });
            expect(created.status).toBeGreaterThanOrEqual(400);
            expect(created.status).toBeLessThan(500);
            const event = await api.request(
              'POST',
              `/api/episodes/${episodeId}/events`,
              {
                type: 'labs.recorded',
                payload: labs(
                  { ferritin: { value: number, unit: 'ng/mL' } },
                  harness.clock.now().toISOString(),
                ),
                rationale: bad,
                expectedVersion: 1,
              },
            );
            expect(event.status).toBeGreaterThanOrEqual(400);
            expect(event.status).toBeLessThan(500);
            const list = await api.request(
              'GET',
              `/api/episodes?stage=${percentEncoded(text)}&page=${String(number)}`,
            );
            expect(list.status).toBe(400);
            const login = await new Api(harness.service.url).request(
              'POST',
              '/api/auth/login',
              { username: text, password: text },
            );
            expect([400, 401]).toContain(login.status);
          },
        ),
        { numRuns: 200 },
      );
      expect(await database()).toBe(before);
    },
    300_000,
  );
});
