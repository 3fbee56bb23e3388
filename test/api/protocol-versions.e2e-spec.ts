/**
 * The protocol versions (`GET /api/protocol/versions`) and their diff
 * (`GET /api/protocol/diff`), on both ENGINES: the deployed 1.0.0 is the
 * current one and counts the episodes opened under it; 1.1.0, deployed
 * beside it, adds LDH to the reassessment panel, its evidence resolved; a version the
 * build does not know is a 400 naming the field; no session, a 401.
 */
import { describe, expect } from '@jest/globals';

import { amira } from '@mas/testing';

import { ENGINES, postgresRequirement, signedInSuite } from './api-harness.js';

const pgRequirement = await postgresRequirement();

describe.each(ENGINES)('protocol versions on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['trainee-tan', 'trainee'],
    ['auditor-ames', 'auditor'],
  ]);
  const { maybe, as } = suite;

  maybe(
    'every version, the deployed one current, with the episodes opened under it by kind',
    async () => {
      const versions = async () => {
        const answer = await as('auditor-ames').request(
          'GET',
          '/api/protocol/versions',
        );
        expect(answer.status).toBe(200);
        return answer.body as {
          version: string;
          status: string;
          current: boolean;
          hash: string;
          releases: { hash: string; date: string; change: string }[];
          episodes: { real: number; training: number };
        }[];
      };
      const before = await versions();
      expect(before).toEqual([
        expect.objectContaining({
          id: 'mas-protocol',
          version: '1.0.0',
          status: 'deployed',
          current: true,
          hash: expect.stringMatching(/^sha256:/),
        }),
        expect.objectContaining({
          version: '1.1.0',
          status: 'deployed',
          current: false,
          episodes: { real: 0, training: 0 },
        }),
      ]);
      const health = await suite.api.request('GET', '/api/health');
      expect(before[0]?.hash).toBe(health.body.protocol.hash);
      // What each version was released with, the last its content now: an
      // auditor can tell which content an earlier recorded hash stands for.
      for (const version of before) {
        expect(version.releases.at(-1)?.hash).toBe(version.hash);
        expect(version.releases.at(-1)?.change).toMatch(/\w/);
      }
      const opened = await as('dr-adams').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: 'SYN-PV-1' },
      });
      expect(opened.status).toBe(201);
      const training = await as('trainee-tan').request(
        'POST',
        '/api/episodes',
        { patient: { ...amira, identifier: 'SYN-PV-T' }, kind: 'training' },
      );
      expect(training.status).toBe(201);
      const after = await versions();
      expect(after[0]?.episodes).toEqual({
        real: (before[0]?.episodes.real ?? 0) + 1,
        training: (before[0]?.episodes.training ?? 0) + 1,
      });
      expect(after[1]?.episodes).toEqual({ real: 0, training: 0 });
    },
  );

  maybe(
    '1.0.0 → 1.1.0: LDH added to the reassessment panel, each evidence id with its words; the new evidence entry',
    async () => {
      const answer = await as('trainee-tan').request(
        'GET',
        '/api/protocol/diff?from=1.0.0&to=1.1.0',
      );
      expect(answer.status).toBe(200);
      expect(answer.body.from.version).toBe('1.0.0');
      expect(answer.body.to.version).toBe('1.1.0');
      expect(answer.body.changes).toEqual([
        {
          change: 'added',
          path: ['monitoring', 'items', '=ldh'],
          where: 'Monitoring › Items each reassessment panel should hold › LDH',
          after: 'ldh',
          evidence: [
            {
              id: 'seed.monitoring.2',
              text: expect.stringMatching(/^Monitor inflammatory parameters/),
            },
            {
              id: 'lit.emapalumab-mas-pooled',
              citation: expect.stringMatching(/NI-0501-06 and EMERALD/),
              tag: 'U',
              text: expect.stringMatching(/69\.2 % if LDH is excluded/),
            },
            {
              id: 'lit.minoia-2019',
              citation: 'Minoia F et al. Ann Rheum Dis 2019;78:1357',
              tag: 'S',
              text: expect.stringMatching(/^MS score/),
            },
          ],
        },
      ]);
      expect(answer.body.evidence).toEqual([
        {
          change: 'added',
          id: 'lit.emapalumab-mas-pooled',
          after: expect.objectContaining({ kind: 'literature', tag: 'U' }),
        },
      ]);
      // Backwards, the same item removed; its evidence read from 1.0.0's
      // catalog where 1.1.0's entry is gone.
      const back = await as('trainee-tan').request(
        'GET',
        '/api/protocol/diff?from=1.1.0&to=1.0.0',
      );
      expect(back.body.changes).toEqual([
        expect.objectContaining({ change: 'removed', before: 'ldh' }),
      ]);
      expect(back.body.changes[0].evidence[1]).toMatchObject({
        id: 'lit.emapalumab-mas-pooled',
        tag: 'U',
      });
    },
  );

  maybe(
    'a version missing or unknown: 400 naming the field and the versions known, never a 500',
    async () => {
      for (const [query, field, rule] of [
        ['from=1.0.0&to=9.9.9', 'query.to', /^must be a protocol version/],
        ['to=1.1.0', 'query.from', /^is required/],
        ['from=1.0.0&to=1.1.0&format=csv', 'query.format', /not a known field/],
      ] as const) {
        const answer = await as('dr-adams').request(
          'GET',
          `/api/protocol/diff?${query}`,
        );
        expect({
          query,
          status: answer.status,
          field: answer.body.field,
        }).toEqual({ query, status: 400, field });
        expect(answer.body.rule).toMatch(rule);
        if (field !== 'query.format') {
          expect(answer.body.rule).toContain('(1.0.0, 1.1.0)');
        }
      }
    },
  );

  maybe('without a session: 401', async () => {
    for (const path of [
      '/api/protocol/versions',
      '/api/protocol/diff?from=1.0.0&to=1.1.0',
    ]) {
      const answer = await suite.api.request('GET', path);
      expect({ path, status: answer.status }).toEqual({ path, status: 401 });
    }
  });
});
