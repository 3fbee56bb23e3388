/**
 * Live changes, on both engines: a page listening at /api/changes hears of
 * every episode that changes (made by anyone, on any instance of the
 * service) within the poll interval, as its id and version only; a trainee
 * hears only of their own training episodes; nobody unsigned hears anything.
 */
import { describe, expect } from '@jest/globals';

import { amira } from '@mas/testing';

import {
  ENGINES,
  PASSWORD,
  postgresRequirement,
  signedInSuite,
} from './api-harness.js';

const pgRequirement = await postgresRequirement();

/**
 * How long a test waits for what must happen (a change heard, a stream
 * ended): a ceiling, not a measure. Each happens within a poll interval or
 * two (100 ms here) on an idle machine; beside another suite on two cores a
 * poll can come seconds late, and a wait that gives up early fails a correct
 * service. The waits end as soon as what they wait for happens.
 */
const CEILING_MS = 20_000;
/** The timeout of a test that may wait out several ceilings. */
const TEST_TIMEOUT_MS = 90_000;

interface Heard {
  readonly id: string;
  readonly version: number;
  readonly kind: string;
}

/** Listens to the change stream as `token`; what it heard so far. */
async function listen(base: string, token: string, query = '') {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/changes${query}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const heard: Heard[] = [];
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const reading = (async () => {
    for (;;) {
      const chunk = await reader?.read().catch(() => undefined);
      if (!chunk || chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (/^event: episode$/m.test(block) && data) {
          heard.push(JSON.parse(data) as Heard);
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    heard,
    /** Waits (up to CEILING_MS) until a change of `id` to `version` is heard. */
    async until(id: string, version: number): Promise<void> {
      const deadline = Date.now() + CEILING_MS;
      while (Date.now() < deadline) {
        if (heard.some((h) => h.id === id && h.version >= version)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (heard.some((h) => h.id === id && h.version >= version)) return;
      throw new Error(
        `no change of ${id} to version ${String(version)} heard in ${String(CEILING_MS)} ms`,
      );
    },
    /**
     * Whether the service ended the stream within `ms`: true as soon as it
     * ends, false once `ms` passed without.
     */
    async endedWithin(ms: number): Promise<boolean> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, ms);
      });
      try {
        return await Promise.race([reading.then(() => true as const), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}

describe.each(ENGINES)('live changes on %s', (engine) => {
  const suite = signedInSuite(
    engine,
    pgRequirement,
    [
      ['dr-adams', 'clinician'],
      ['dr-baker', 'senior'],
      ['trainee-tan', 'trainee'],
      ['trainee-tom', 'trainee'],
      ['dr-leaving', 'clinician'],
    ],
    { CHANGES_POLL_MS: '100' },
  );
  const { maybe, as, token } = suite;
  const base = () => suite.harness.service.url;

  maybe(
    "a page hears of another user's change, as its id and version only",
    async () => {
      const stream = await listen(base(), token('dr-adams'));
      expect(stream.status).toBe(200);
      expect(stream.type).toMatch(/^text\/event-stream/);
      const created = await as('dr-baker').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: `SYN-LIVE-${engine.toUpperCase()}` },
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      await stream.until(id, created.body.version as number);
      const event = await as('dr-baker').request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type: 'workup.started',
          payload: {},
          expectedVersion: created.body.version,
        },
      );
      expect(event.status).toBe(201);
      await stream.until(id, event.body.version as number);
      // Only ids, versions and kinds: no patient data in the stream.
      for (const heard of stream.heard) {
        expect(Object.keys(heard).sort()).toEqual(['id', 'kind', 'version']);
      }
      await stream.close();
    },
    TEST_TIMEOUT_MS,
  );

  maybe(
    'a page naming the episode and version it read hears at once of a change made before its stream answered (one that names nothing takes it as already there); a bad query is a 400 naming the parameter',
    async () => {
      const created = await as('dr-baker').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: `SYN-SHOWN-${engine.toUpperCase()}` },
      });
      const id = created.body.id as string;
      const read = created.body.version as number;
      // Changed after the page read it, before its stream was answered.
      const event = await as('dr-baker').request(
        'POST',
        `/api/episodes/${id}/events`,
        { type: 'workup.started', payload: {}, expectedVersion: read },
      );
      expect(event.status).toBe(201);
      const unnamed = await listen(base(), token('dr-adams'));
      const named = await listen(
        base(),
        token('dr-adams'),
        `?episode=${id}&version=${String(read)}`,
      );
      expect(named.status).toBe(200);
      await named.until(id, event.body.version as number);
      // A later change is heard by both, and the unnamed one had heard
      // nothing of this episode before it.
      const later = await as('dr-baker').request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type: 'labs.recorded',
          payload: {
            panel: {},
            collectedAt: suite.harness.clock.now().toISOString(),
          },
          expectedVersion: event.body.version,
        },
      );
      expect(later.status).toBe(201);
      await unnamed.until(id, later.body.version as number);
      expect(
        unnamed.heard.filter((h) => h.id === id).map((h) => h.version),
      ).toEqual([later.body.version]);
      await unnamed.close();
      await named.close();
      for (const [query, field] of [
        ['?version=abc&episode=' + id, 'query.version'],
        ['?version=3', 'query.version'],
        ['?episode=not-an-id&version=3', 'query.episode'],
        ['?since=yesterday', 'query.since'],
      ] as const) {
        const refused = await fetch(`${base()}/api/changes${query}`, {
          headers: { authorization: `Bearer ${token('dr-adams')}` },
        });
        expect({ query, status: refused.status }).toEqual({
          query,
          status: 400,
        });
        expect(((await refused.json()) as { field?: string }).field).toBe(
          field,
        );
      }
    },
    TEST_TIMEOUT_MS,
  );

  maybe(
    'a change made through another instance of the service is heard too',
    async () => {
      const other = await suite.harness.another();
      const stream = await listen(base(), token('dr-adams'));
      const login = await fetch(`${other.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'dr-baker',
          password: 'correct horse battery staple',
        }),
      });
      const { token: otherToken } = (await login.json()) as { token: string };
      const created = await fetch(`${other.url}/api/episodes`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${otherToken}`,
        },
        body: JSON.stringify({
          patient: {
            ...amira,
            identifier: `SYN-OTHER-${engine.toUpperCase()}`,
          },
        }),
      });
      expect(created.status).toBe(201);
      const { id, version } = (await created.json()) as {
        id: string;
        version: number;
      };
      await stream.until(id, version);
      await stream.close();
    },
    TEST_TIMEOUT_MS,
  );

  maybe(
    "a trainee hears of their own training episodes only, never of a real one or another trainee's",
    async () => {
      const tan = await listen(base(), token('trainee-tan'));
      const real = await as('dr-adams').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: `SYN-REAL-${engine.toUpperCase()}` },
      });
      const theirs = await as('trainee-tom').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: `SYN-TOM-${engine.toUpperCase()}` },
        kind: 'training',
      });
      const own = await as('trainee-tan').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: `SYN-TAN-${engine.toUpperCase()}` },
        kind: 'training',
      });
      expect([real.status, theirs.status, own.status]).toEqual([201, 201, 201]);
      await tan.until(own.body.id as string, own.body.version as number);
      const ids = tan.heard.map((h) => h.id);
      expect(ids).not.toContain(real.body.id);
      expect(ids).not.toContain(theirs.body.id);
      await tan.close();
    },
    TEST_TIMEOUT_MS,
  );

  maybe(
    'a stream does not outlive its session: signed out, it ends; the account disabled, it ends',
    async () => {
      // Signed out: a fresh token of the same user, its stream, the sign-out.
      const login = await suite.api.request('POST', '/api/auth/login', {
        username: 'dr-adams',
        password: PASSWORD,
      });
      const signedOut = await listen(base(), login.body.token as string);
      expect(signedOut.status).toBe(200);
      // (The waits for "not ended" are short and stay so: on a loaded
      // machine fewer rechecks fit in them, which can only let a defect
      // pass once, never fail a correct service.)
      expect(await signedOut.endedWithin(300)).toBe(false);
      const logout = await suite.api
        .as(login.body.token as string)
        .request('POST', '/api/auth/logout');
      expect(logout.status).toBe(204);
      expect(await signedOut.endedWithin(CEILING_MS)).toBe(true);

      // Disabled by an admin while listening; beside it, a stream of a
      // session still valid, open as long.
      const leaving = await listen(base(), token('dr-leaving'));
      const staying = await listen(base(), token('dr-baker'));
      expect(await leaving.endedWithin(300)).toBe(false);
      const users = suite.harness.service.users;
      const account = await users.findByUsername('dr-leaving');
      if (!account) throw new Error('dr-leaving was not created');
      await users.change(account, { disabled: true });
      expect(await leaving.endedWithin(CEILING_MS)).toBe(true);
      // The valid one goes on: open as long as the one just ended and
      // rechecked on the same interval (so, on a loaded machine too, about
      // as often), and a while longer.
      expect(await staying.endedWithin(500)).toBe(false);
      await staying.close();
    },
    TEST_TIMEOUT_MS,
  );

  maybe('nobody unsigned is told anything', async () => {
    const response = await fetch(`${base()}/api/changes`);
    expect(response.status).toBe(401);
  });
});
