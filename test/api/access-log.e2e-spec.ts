/**
 * The access log, on both ENGINES: every read of patient data (who, which
 * episode, when) and every act of user administration, queried by auditors
 * only; a refused read reads nothing and logs nothing.
 */
import { describe, expect } from '@jest/globals';

import { amira } from '@mas/testing';

import { ENGINES, postgresRequirement, signedInSuite } from './api-harness.js';

const pgRequirement = await postgresRequirement();

describe.each(ENGINES)('the access log on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['auditor-ames', 'auditor'],
    ['admin-ada', 'admin'],
    ['trainee-tan', 'trainee'],
  ]);
  const { maybe, as } = suite;

  maybe(
    'each read of an episode is logged with who, which episode and when; auditors query it',
    async () => {
      const created = await as('dr-adams').request('POST', '/api/episodes', {
        patient: amira,
      });
      const id = created.body.id as string;
      suite.harness.clock.advance(60_000);
      const readAt = suite.harness.clock.now().toISOString();
      expect(
        (await as('dr-adams').request('GET', `/api/episodes/${id}`)).status,
      ).toBe(200);
      expect(
        (await as('dr-adams').request('GET', `/api/episodes/${id}/audit`))
          .status,
      ).toBe(200);
      expect(
        (await as('auditor-ames').request('GET', `/api/episodes/${id}`)).status,
      ).toBe(200);
      // A refused read (a trainee, a real episode: answered as none) reads
      // nothing: not logged.
      expect(
        (await as('trainee-tan').request('GET', `/api/episodes/${id}`)).status,
      ).toBe(404);
      const log = await as('auditor-ames').request(
        'GET',
        `/api/audit/access?episodeId=${id}`,
      );
      expect(log.status).toBe(200);
      expect(log.body.total).toBe(3);
      expect(
        (log.body.items as Record<string, unknown>[]).map((e) => [
          e['actorId'],
          e['actorRole'],
          e['action'],
          e['episodeId'],
          e['at'],
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['dr-adams', 'clinician', 'episode.read', id, readAt],
          ['dr-adams', 'clinician', 'episode.audit.read', id, readAt],
          ['auditor-ames', 'auditor', 'episode.read', id, readAt],
        ]),
      );
      const mine = await as('auditor-ames').request(
        'GET',
        `/api/audit/access?actor=dr-adams&action=episode.read&episodeId=${id}`,
      );
      expect(mine.body.total).toBe(1);
      const later = await as('auditor-ames').request(
        'GET',
        `/api/audit/access?episodeId=${id}&from=${encodeURIComponent(
          new Date(Date.parse(readAt) + 1).toISOString(),
        )}`,
      );
      expect(later.body.total).toBe(0);
    },
  );

  maybe('the episode list is logged as a read of the list', async () => {
    await as('dr-adams').request('GET', '/api/episodes?overdue=true');
    const log = await as('auditor-ames').request(
      'GET',
      '/api/audit/access?actor=dr-adams&action=episodes.listed',
    );
    expect(log.body.items[0]).toMatchObject({
      episodeId: null,
      detail: { overdue: 'true' },
    });
  });

  maybe(
    'the work list and the bulk migration dry run, which name patients, are logged as reads',
    async () => {
      expect(
        (await as('dr-adams').request('GET', '/api/work-items?status=all'))
          .status,
      ).toBe(200);
      const dryRun = await as('auditor-ames').request(
        'POST',
        '/api/episodes/migrate',
        { fromVersion: '1.0.0', toVersion: '1.1.0', dryRun: true },
      );
      expect(dryRun.status).toBe(200);
      const logged = async (actor: string, action: string) =>
        (
          await as('auditor-ames').request(
            'GET',
            `/api/audit/access?actor=${actor}&action=${action}`,
          )
        ).body.items as Record<string, unknown>[];
      expect(await logged('dr-adams', 'work-items.listed')).toEqual([
        expect.objectContaining({
          actorRole: 'clinician',
          episodeId: null,
          detail: { status: 'all' },
        }),
      ]);
      expect(await logged('auditor-ames', 'episodes.migration.listed')).toEqual(
        [expect.objectContaining({ actorRole: 'auditor' })],
      );
    },
  );

  maybe(
    'creating a user is logged: by whom, which user, which role',
    async () => {
      const created = await as('admin-ada').request('POST', '/api/users', {
        username: 'dr-new',
        password: 'a long enough passphrase',
        role: 'senior',
      });
      expect(created.status).toBe(201);
      const log = await as('auditor-ames').request(
        'GET',
        '/api/audit/access?action=user.created&actor=admin-ada',
      );
      expect(log.body.items).toEqual([
        expect.objectContaining({
          actorId: 'admin-ada',
          actorRole: 'admin',
          subject: 'dr-new',
          detail: { role: 'senior' },
        }),
      ]);
    },
  );

  maybe(
    'only auditors query the log; a bad query is a 400 naming the parameter',
    async () => {
      for (const user of ['dr-adams', 'admin-ada', 'trainee-tan']) {
        expect(
          (await as(user).request('GET', '/api/audit/access')).status,
        ).toBe(403);
      }
      for (const [query, field] of [
        ['from=yesterday', 'from'],
        ['page=1e18', 'page'],
        ['actor=a%00b', 'actor'],
        ['who=me', 'who'],
      ] as const) {
        const answer = await as('auditor-ames').request(
          'GET',
          `/api/audit/access?${query}`,
        );
        expect({
          query,
          status: answer.status,
          field: answer.body.field,
        }).toEqual({ query, status: 400, field });
      }
    },
  );
});
