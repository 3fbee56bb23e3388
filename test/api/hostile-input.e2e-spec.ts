/**
 * Hostile input is a 400 naming the parameter or field and its rule, on
 * both ENGINES, never a 500, and it changes nothing: page numbers past any
 * list (1e18, Infinity), NUL and other control characters (which
 * PostgreSQL refuses in text), and lone surrogates (not storable as UTF-8),
 * in a query, an event, a new episode or a login.
 */
import { describe, expect } from '@jest/globals';

import { amira } from '@mas/testing';

import { ENGINES, postgresRequirement, signedInSuite } from './api-harness.js';
import { therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();

describe.each(ENGINES)('hostile input on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
  ]);
  const { maybe, as } = suite;

  maybe(
    'page numbers past any list are refused, naming the parameter',
    async () => {
      for (const [query, field] of [
        ['page=1e18', 'page'],
        ['page=Infinity', 'page'],
        ['page=-1', 'page'],
        ['page=2.5', 'page'],
        ['pageSize=0', 'pageSize'],
        ['pageSize=101', 'pageSize'],
        ['stage=%00', 'stage'],
        ['alert=a%01b', 'alert'],
        ['colour=red', 'colour'],
      ] as const) {
        const answer = await as('dr-adams').request(
          'GET',
          `/api/episodes?${query}`,
        );
        expect({
          query,
          status: answer.status,
          field: answer.body.field,
        }).toEqual({ query, status: 400, field });
        expect(answer.body.message).toMatch(/must|not a known field/);
      }
      const fine = await as('dr-adams').request(
        'GET',
        '/api/episodes?page=2&pageSize=5&stage=treatment',
      );
      expect(fine.status).toBe(200);
      expect(fine.body).toMatchObject({ page: 2, pageSize: 5 });
    },
  );

  maybe(
    'a NUL or a lone surrogate in an event is refused and changes nothing',
    async () => {
      const created = await as('dr-adams').request('POST', '/api/episodes', {
        patient: amira,
        kind: 'real',
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const before = await as('dr-adams').request('GET', `/api/episodes/${id}`);
      for (const [rationale, rule] of [
        ['held \u0000 for review', /control characters/],
        ['transfer \ud800 pending', /lone surrogate/],
      ] as const) {
        const answer = await as('dr-adams').request(
          'POST',
          `/api/episodes/${id}/events`,
          {
            type: 'hold.started',
            payload: { reason: 'transfer' },
            rationale,
            expectedVersion: before.body.version,
          },
        );
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ field: 'body.rationale' });
        expect(answer.body.rule).toMatch(rule);
      }
      const after = await as('dr-adams').request('GET', `/api/episodes/${id}`);
      expect(after.body.version).toBe(before.body.version);
    },
  );

  maybe(
    'a therapy by a route the drug is not given by is a 400 naming the route, never a 500, and changes nothing',
    async () => {
      const created = await as('dr-adams').request('POST', '/api/episodes', {
        patient: amira,
        kind: 'real',
      });
      const id = created.body.id as string;
      const givenAt = created.body.context.openedAt as string;
      const answer = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type: 'therapy.started',
          payload: therapy('methylprednisolone', givenAt, { route: 'oral' }),
          expectedVersion: 0,
        },
      );
      expect({ status: answer.status, body: answer.body }).toMatchObject({
        status: 400,
        body: {
          field: expect.stringMatching(/^body\.payload\..*route$/),
          rule: expect.stringMatching(
            /oral is not a route for methylprednisolone/,
          ),
        },
      });
      const after = await as('dr-adams').request('GET', `/api/episodes/${id}`);
      expect(after.body.version).toBe(0);
    },
  );

  maybe(
    'a NUL in a new episode or a login is refused, naming the field',
    async () => {
      const episode = await as('dr-adams').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: 'MRN\u0000123' },
        kind: 'real',
      });
      expect(episode.status).toBe(400);
      expect(episode.body.field).toBe('body.patient.identifier');
      const login = await suite.api.request('POST', '/api/auth/login', {
        username: 'dr-adams\u0000',
        password: 'whatever it is',
      });
      expect(login.status).toBe(400);
      expect(login.body.field).toBe('body.username');
    },
  );

  maybe(
    "an identifier that is not pseudonymous (a name, a national number) or longer than its column is refused, naming the institution's format",
    async () => {
      for (const [identifier, rule] of [
        ['Amira Hassan 850101-1234', /must be a pseudonymous code/],
        ['amira.hassan', /must be a pseudonymous code/],
        [`SYN-${'X'.repeat(120)}`, /at most 100 characters/],
      ] as const) {
        const answer = await as('dr-adams').request('POST', '/api/episodes', {
          patient: { ...amira, identifier },
        });
        expect({
          identifier,
          status: answer.status,
          field: answer.body.field,
        }).toEqual({
          identifier,
          status: 400,
          field: 'patient.identifier',
        });
        expect(answer.body.message).toMatch(rule);
      }
      const list = await as('dr-adams').request('GET', '/api/episodes');
      expect(
        (list.body.items as { patient?: { identifier: string } }[]).some((e) =>
          (e.patient?.identifier ?? '').includes('Hassan'),
        ),
      ).toBe(false);
    },
  );
});
