/**
 * The ward or site an episode is cared for on (issue 18: indicators per
 * month and per ward), over real HTTP on both ENGINES: given when the
 * episode opens, checked (400 naming `body.ward`), shown on the board and
 * the episode, sealed with the record (an edit outside the service is named
 * by verification), and grouped by in the quality report.
 */
import { describe, expect } from '@jest/globals';

import { amira } from '@mas/testing';

import { ENGINES, postgresRequirement, signedInSuite } from './api-harness.js';
import { therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();
const HOUR = 3_600_000;

describe.each(ENGINES)('the ward of an episode on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['auditor-ames', 'auditor'],
  ]);
  const { maybe, as } = suite;
  const now = () => suite.harness.clock.now().toISOString();

  async function openAndPulse(identifier: string, ward?: string) {
    const opened = await as('dr-adams').request('POST', '/api/episodes', {
      patient: { ...amira, identifier },
      ...(ward === undefined ? {} : { ward }),
    });
    expect(opened.status).toBe(201);
    suite.harness.clock.advance(HOUR);
    const pulse = await as('dr-adams').request(
      'POST',
      `/api/episodes/${opened.body.id as string}/events`,
      {
        type: 'therapy.started',
        payload: therapy('methylprednisolone', now()),
        expectedVersion: 0,
      },
    );
    expect(pulse.status).toBe(201);
    return opened.body as { id: string; ward: string | null };
  }

  maybe(
    'given at opening, shown on the episode and the board, and grouped by in the quality report beside every ward',
    async () => {
      const picu = await openAndPulse('SYN-WARD-1', '  PICU ');
      const ward3 = await openAndPulse('SYN-WARD-2', 'Ward 3');
      const none = await openAndPulse('SYN-WARD-3');
      expect([picu.ward, ward3.ward, none.ward]).toEqual([
        'PICU',
        'Ward 3',
        null,
      ]);
      const detail = await as('dr-adams').request(
        'GET',
        `/api/episodes/${picu.id}`,
      );
      expect(detail.body.ward).toBe('PICU');
      const board = await as('dr-adams').request('GET', '/api/episodes');
      const wards = Object.fromEntries(
        (board.body.items as { id: string; ward: string | null }[]).map(
          (item) => [item.id, item.ward],
        ),
      );
      expect(wards).toMatchObject({
        [picu.id]: 'PICU',
        [ward3.id]: 'Ward 3',
        [none.id]: null,
      });

      const report = await as('auditor-ames').request('GET', '/api/analytics');
      expect(report.status).toBe(200);
      const points = report.body.indicators['suspicion-to-glucocorticoid']
        .points as { ward: string | null; episodeIds: string[] }[];
      expect(points.map((p) => [p.ward, [...p.episodeIds].sort()])).toEqual([
        [null, [picu.id, ward3.id, none.id].sort()],
        ['PICU', [picu.id]],
        ['Ward 3', [ward3.id]],
      ]);
    },
  );

  maybe(
    'a ward that is not a name is a 400 naming body.ward, and nothing is opened',
    async () => {
      const before = await as('dr-adams').request('GET', '/api/episodes');
      for (const ward of ['', '<script>', 'x'.repeat(65), 'PICU\u0000']) {
        const answer = await as('dr-adams').request('POST', '/api/episodes', {
          patient: { ...amira, identifier: 'SYN-WARD-BAD' },
          ward,
        });
        expect(answer.status).toBe(400);
        expect(answer.body.field).toBe('body.ward');
      }
      const after = await as('dr-adams').request('GET', '/api/episodes');
      expect(after.body.total).toBe(before.body.total);
    },
  );

  maybe(
    'one spelling per ward: composed characters and single spaces, whatever the keyboard sent',
    async () => {
      const decomposed = await openAndPulse(
        'SYN-WARD-5',
        'Kinderklinik Su\u0308d  –  Station 3A',
      );
      expect(decomposed.ward).toBe('Kinderklinik S\u00fcd – Station 3A');
    },
  );

  maybe(
    'sealed with the record: a ward changed outside the service is named by verification',
    async () => {
      const episode = await openAndPulse('SYN-WARD-4', 'PICU');
      const clean = await as('auditor-ames').request(
        'GET',
        '/api/audit/verify',
      );
      expect(clean.body.ok).toBe(true);
      await suite.harness.query('UPDATE episodes SET ward = ? WHERE id = ?', [
        'Ward 3',
        episode.id,
      ]);
      const verified = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${episode.id}/audit/verify`,
      );
      expect(verified.body.ok).toBe(false);
      // An empty ward set on an episode opened without one is named too.
      const none = await openAndPulse('SYN-WARD-6');
      await suite.harness.query('UPDATE episodes SET ward = ? WHERE id = ?', [
        '',
        none.id,
      ]);
      const emptied = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${none.id}/audit/verify`,
      );
      expect(emptied.body.ok).toBe(false);
      await suite.harness.query(
        'UPDATE episodes SET ward = NULL WHERE id = ?',
        [none.id],
      );
      await suite.harness.query('UPDATE episodes SET ward = ? WHERE id = ?', [
        'PICU',
        episode.id,
      ]);
    },
  );
});
