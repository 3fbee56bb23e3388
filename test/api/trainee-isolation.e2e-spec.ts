/**
 * Training episodes belong to the trainee who opened them, on both ENGINES:
 * another trainee can neither read nor write them through any episode
 * route, nor see them in a list, nor tell them from episodes that do not
 * exist (the same 404, as in FHIR); educators (clinicians, seniors) can.
 */
import { describe, expect } from '@jest/globals';

import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import { ENGINES, postgresRequirement, signedInSuite } from './api-harness.js';
import { labs } from './clinical-records.js';

const pgRequirement = await postgresRequirement();

describe.each(ENGINES)('trainee isolation on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['trainee-tan', 'trainee'],
    ['trainee-uma', 'trainee'],
    ['dr-adams', 'clinician'],
  ]);
  const { maybe, as } = suite;

  maybe(
    'a trainee reaches only the training episodes they opened; an educator reaches every one',
    async () => {
      const created = await as('trainee-tan').request('POST', '/api/episodes', {
        patient: amira,
        kind: 'training',
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const own = await as('trainee-tan').request('GET', `/api/episodes/${id}`);
      expect(own.status).toBe(200);
      const at = suite.harness.clock.now().toISOString();
      const unknown = '00000000-0000-4000-8000-000000000000';
      const routes = (episode: string) =>
        [
          ['GET', `/api/episodes/${episode}`, undefined],
          ['GET', `/api/episodes/${episode}/audit`, undefined],
          ['GET', `/api/episodes/${episode}/audit/verify`, undefined],
          ['GET', `/api/episodes/${episode}/state?at=${at}`, undefined],
          ['GET', `/api/episodes/${episode}/work-items`, undefined],
          [
            'POST',
            `/api/episodes/${episode}/events`,
            {
              type: 'labs.recorded',
              expectedVersion: 0,
              payload: labs(panelOf(floridMas, febrileSjia), at),
            },
          ],
        ] as const;
      const none = routes(unknown);
      for (const [index, [method, path, body]] of routes(id).entries()) {
        const answer = await as('trainee-uma').request(method, path, body);
        const [, nonePath, noneBody] = none[index] ?? [];
        const noSuch = await as('trainee-uma').request(
          method,
          nonePath ?? '',
          noneBody,
        );
        // The answer for another's episode is, word for word, the answer
        // for one that does not exist.
        expect({ path, method, status: answer.status }).toEqual({
          path,
          method,
          status: 404,
        });
        expect(JSON.stringify(answer.body).replaceAll(id, '<id>')).toBe(
          JSON.stringify(noSuch.body).replaceAll(unknown, '<id>'),
        );
      }
      // Nothing was written by the refused event.
      const after = await as('trainee-tan').request(
        'GET',
        `/api/episodes/${id}`,
      );
      expect(after.body.version).toBe(0);
      const listOf = async (user: string) =>
        (
          (await as(user).request('GET', '/api/episodes?kind=training')).body
            .items as { id: string }[]
        ).map((e) => e.id);
      expect(await listOf('trainee-tan')).toContain(id);
      expect(await listOf('trainee-uma')).not.toContain(id);
      expect(await listOf('dr-adams')).toContain(id);
      expect(
        (await as('dr-adams').request('GET', `/api/episodes/${id}`)).status,
      ).toBe(200);
    },
  );
});
