/**
 * The quality report (`GET /api/analytics`), on both ENGINES: three real
 * episodes opened over HTTP on the harness clock, and one training episode
 * that must not count; the figures are computed by hand below. Auditors and
 * seniors read it, as JSON or CSV; a bad query is a 400 naming the field.
 */
import { describe, expect } from '@jest/globals';

import { qualitySeal } from '@mas/api';
import { scenarios } from '@mas/simulation';
import { amira, floridMas, panelOf } from '@mas/testing';

import {
  Api,
  ENGINES,
  PASSWORD,
  postgresRequirement,
  signedInSuite,
} from './api-harness.js';
import { therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();

/**
 * The timeout of a test that waits for simulated cohorts: each is a worker
 * thread of its own that loads the TypeScript sources, about 1.5 s alone
 * and 6.5 s for the four of the busiest test on an idle machine; beside
 * another suite on two cores several times that, over the 30 s every other
 * test has. (The service itself gives a cohort 60 s.)
 */
const COHORT_TEST_TIMEOUT_MS = 120_000;

const HOUR = 3_600_000;

describe.each(ENGINES)('the quality report on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['dr-baker', 'senior'],
    ['auditor-ames', 'auditor'],
    ['trainee-tan', 'trainee'],
  ]);
  const { maybe } = suite;
  const now = () => suite.harness.clock.now().toISOString();
  // The suite's logins last 30 days of the clock: April signs in anew.
  const logins = new Map<string, Promise<string>>();
  const login = (user: string): Promise<string> => {
    const key = `${user}@${now()}`;
    const token =
      logins.get(key) ??
      suite.api
        .request('POST', '/api/auth/login', {
          username: user,
          password: PASSWORD,
        })
        .then((answer) => answer.body.token as string);
    logins.set(key, token);
    return token;
  };
  const as = async (user: string): Promise<Api> =>
    suite.api.as(await login(user));

  /** Opens a suspected episode now (suspicion is the opening); its id and version. */
  async function open(identifier: string, kind: 'real' | 'training') {
    const opened = await (
      await as('dr-adams')
    ).request('POST', '/api/episodes', {
      patient: { ...amira, identifier },
      kind,
    });
    expect(opened.status).toBe(201);
    return {
      id: opened.body.id as string,
      version: opened.body.version as number,
    };
  }

  /** The first methylprednisolone, given now. */
  async function pulse(episode: { id: string; version: number }) {
    const sent = await (
      await as('dr-adams')
    ).request('POST', `/api/episodes/${episode.id}/events`, {
      type: 'therapy.started',
      payload: therapy('methylprednisolone', now()),
      expectedVersion: episode.version,
    });
    expect(sent.status).toBe(201);
  }

  /**
   * March: Q-1 suspected 1 March 08:00, pulse at 10:00 (2 h); Q-2
   * suspected 10:00, pulse at 18:00 (8 h, over the profile's 6 h); a
   * training episode suspected 18:00, pulse 20 h later. April: Q-3
   * suspected 2 April 08:00, pulse at 09:00 (1 h).
   */
  let cohort: Promise<Record<'q1' | 'q2' | 'q3' | 'training', string>> | null =
    null;
  const seeded = () =>
    (cohort ??= (async () => {
      const { clock } = suite.harness;
      const q1 = await open('SYN-Q-1', 'real');
      clock.advance(2 * HOUR);
      await pulse(q1);
      const q2 = await open('SYN-Q-2', 'real');
      clock.advance(8 * HOUR);
      await pulse(q2);
      const training = await open('SYN-Q-T', 'training');
      clock.advance(20 * HOUR);
      await pulse(training);
      clock.set(new Date('2026-04-02T08:00:00.000Z'));
      const q3 = await open('SYN-Q-3', 'real');
      clock.advance(HOUR);
      await pulse(q3);
      return { q1: q1.id, q2: q2.id, q3: q3.id, training: training.id };
    })());

  maybe(
    'suspicion to the first glucocorticoid per month: n, median, quartiles, within the 6-h limit; training left out',
    async () => {
      const ids = await seeded();
      const answer = await (
        await as('auditor-ames')
      ).request('GET', '/api/analytics');
      expect(answer.status).toBe(200);
      expect(answer.body.episodes).toBe(3);
      expect(answer.body.versions).toEqual(['1.0.0']);
      expect(answer.body.patients).toEqual({
        [ids.q1]: 'SYN-Q-1',
        [ids.q2]: 'SYN-Q-2',
        [ids.q3]: 'SYN-Q-3',
      });
      const glucocorticoid =
        answer.body.indicators['suspicion-to-glucocorticoid'];
      expect(glucocorticoid.statement).toBe('seed.initial.3');
      expect(glucocorticoid.points).toEqual([
        {
          month: '2026-03',
          ward: null,
          episodeIds: [ids.q1, ids.q2],
          n: 2,
          // 2 h and 8 h; quartiles by type 7: 2 + 0.25 × 6, 2 + 0.75 × 6.
          medianHours: 5,
          q1Hours: 3.5,
          q3Hours: 6.5,
          withinTarget: {
            count: 1,
            episodeIds: [ids.q1],
            share: 0.5,
            targetHours: [6],
          },
          notStarted: { count: 0, episodeIds: [] },
          excludedBeforeStart: { count: 0, episodeIds: [] },
        },
        {
          month: '2026-04',
          ward: null,
          episodeIds: [ids.q3],
          n: 1,
          medianHours: 1,
          q1Hours: 1,
          q3Hours: 1,
          withinTarget: {
            count: 1,
            episodeIds: [ids.q3],
            share: 1,
            targetHours: [6],
          },
          notStarted: { count: 0, episodeIds: [] },
          excludedBeforeStart: { count: 0, episodeIds: [] },
        },
      ]);
      // The training episode is read nowhere (not even as skipped).
      expect(JSON.stringify(answer.body)).not.toContain(ids.training);
    },
  );

  maybe(
    'narrowed to months (inclusive) and to a protocol version; a senior reads it too',
    async () => {
      const ids = await seeded();
      const april = await (
        await as('dr-baker')
      ).request('GET', '/api/analytics?from=2026-04&to=2026-04');
      expect(april.status).toBe(200);
      expect(april.body.episodes).toBe(1);
      expect(april.body.patients).toEqual({ [ids.q3]: 'SYN-Q-3' });
      expect(
        april.body.indicators.outcomes.points.map(
          (p: { month: string }) => p.month,
        ),
      ).toEqual(['2026-04']);
      const auditor = await as('auditor-ames');
      const served = await auditor.request(
        'GET',
        '/api/analytics?version=1.0.0',
      );
      expect(served.body.episodes).toBe(3);
      // A version this build does not know is a 400 naming it, never an
      // empty report that looks like none of the ward's episodes.
      const unknown = await auditor.request(
        'GET',
        '/api/analytics?version=0.9.0',
      );
      expect(unknown.status).toBe(400);
      expect(unknown.body.field).toBe('query.version');
      // A known version nobody runs under: no episodes.
      const other = await auditor.request(
        'GET',
        '/api/analytics?version=1.1.0',
      );
      expect(other.body.episodes).toBe(0);
      expect(
        other.body.indicators['suspicion-to-glucocorticoid'].points,
      ).toEqual([]);
      expect(other.body.versions).toEqual(['1.0.0']);
    },
  );

  maybe('as CSV: the header, then a row per indicator and month', async () => {
    const ids = await seeded();
    const answer = await fetch(
      `${suite.harness.service.url}/api/analytics?format=csv&to=2026-03`,
      { headers: { authorization: `Bearer ${await login('auditor-ames')}` } },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await answer.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'indicator,statement,label,month,ward,n,median_hours,q1_hours,q3_hours,met,share,not_met,overdue_hours,breakdown,episode_ids',
    );
    // Nine indicators, March only (no ward recorded).
    expect(lines).toHaveLength(1 + 9);
    expect(lines).toContain(
      `suspicion-to-glucocorticoid,seed.initial.3,Time to the first glucocorticoid after suspicion,2026-03,,2,5,3.5,6.5,1,0.5,0,,,${ids.q1} ${ids.q2}`,
    );
  });

  maybe(
    'a bad query is a 400 naming the field and the rule; clinicians and trainees are refused',
    async () => {
      for (const [query, field, rule] of [
        ['from=2026-13', 'query.from', 'must be a month as YYYY-MM'],
        ['from=2026-04&to=2026-03', 'query.from', 'must not be after to'],
        ['format=pdf', 'query.format', expect.any(String)],
        ['month=2026-03', 'query.month', 'is not a known field'],
      ] as const) {
        const answer = await (
          await as('auditor-ames')
        ).request('GET', `/api/analytics?${query}`);
        expect({ query, status: answer.status, ...answer.body }).toEqual(
          expect.objectContaining({ query, status: 400, field, rule }),
        );
      }
      for (const user of ['dr-adams', 'trainee-tan']) {
        expect(
          (await (await as(user)).request('GET', '/api/analytics')).status,
        ).toBe(403);
      }
    },
  );

  maybe(
    'the analyses a service keeps between reports give what a full replay gives, after episodes change and one is added',
    async () => {
      const ids = await seeded();
      // A second instance on the same database, started first (its start
      // may record the clock's ticks), will have kept nothing: it replays
      // every episode's audit.
      const other = await suite.harness.another();
      const auditor = await as('auditor-ames');
      const before = await auditor.request('GET', '/api/analytics');
      expect(before.body.episodes).toBe(3);
      // Q-3 gets labs 13 h on, past its 12-h reassessment (late now); Q-4
      // is opened and pulsed 3 h later.
      suite.harness.clock.advance(13 * HOUR);
      const q3 = await auditor.request('GET', `/api/episodes/${ids.q3}`);
      const clinician = await as('dr-adams');
      const labs = await clinician.request(
        'POST',
        `/api/episodes/${ids.q3}/events`,
        {
          type: 'labs.recorded',
          payload: { panel: panelOf(floridMas), collectedAt: now() },
          expectedVersion: q3.body.version,
        },
      );
      expect(labs.status).toBe(201);
      const q4 = await open('SYN-Q-4', 'real');
      suite.harness.clock.advance(3 * HOUR);
      await pulse(q4);
      const kept = await (
        await as('auditor-ames')
      ).request('GET', '/api/analytics');
      expect(kept.body.episodes).toBe(4);
      expect(
        kept.body.indicators['suspicion-to-glucocorticoid'].points[1],
      ).toMatchObject({ month: '2026-04', n: 2, medianHours: 2 });
      const fresh = await new Api(other.url)
        .as(await login('auditor-ames'))
        .request('GET', '/api/analytics');
      expect(fresh.status).toBe(200);
      expect(kept.body).toEqual(fresh.body);
    },
  );

  maybe(
    'each real episode keeps its facts on write, the same a replay gives; rows an older version wrote (none kept) are replayed once and written back',
    async () => {
      await seeded();
      const auditor = await as('auditor-ames');
      const kept = await auditor.request('GET', '/api/analytics');
      expect(kept.status).toBe(200);
      const stored = (await suite.harness.query(
        'SELECT id, kind, quality FROM episodes ORDER BY id',
      )) as { id: string; kind: string; quality: string | null }[];
      // Real episodes keep theirs, training ones keep none.
      for (const row of stored) {
        expect({ id: row.id, kept: row.quality !== null }).toEqual({
          id: row.id,
          kept: row.kind === 'real',
        });
      }
      // As if an older version had written them: nothing kept. A second
      // instance (nothing in its memory) must replay every audit.
      await suite.harness.query(
        'UPDATE episodes SET quality = NULL, quality_seal = NULL',
      );
      const other = await suite.harness.another();
      const replayed = await new Api(other.url)
        .as(await login('auditor-ames'))
        .request('GET', '/api/analytics');
      expect(replayed.status).toBe(200);
      expect(replayed.body).toEqual(kept.body);
      // Written back, as the write path had kept them.
      const after = (await suite.harness.query(
        'SELECT id, kind, quality FROM episodes ORDER BY id',
      )) as { id: string; quality: string | null }[];
      expect(
        after.map((row) => [row.id, JSON.parse(row.quality ?? 'null')]),
      ).toEqual(
        stored.map((row) => [row.id, JSON.parse(row.quality ?? 'null')]),
      );
      // Kept, and sealed, by another version of the service (another
      // format): not read, replayed and written anew.
      const olderFormat = '{"format":"facts-0","atVersion":0}';
      for (const row of stored.filter((r) => r.kind === 'real')) {
        const [{ version } = { version: 0 }] = (await suite.harness.query(
          'SELECT version FROM episodes WHERE id = ?',
          [row.id],
        )) as { version: number }[];
        await suite.harness.query(
          'UPDATE episodes SET quality = ?, quality_seal = ? WHERE id = ?',
          [
            olderFormat,
            qualitySeal(suite.harness.keys.audit, {
              id: row.id,
              version,
              quality: olderFormat,
            }),
            row.id,
          ],
        );
      }
      const third = await suite.harness.another();
      const again = await new Api(third.url)
        .as(await login('auditor-ames'))
        .request('GET', '/api/analytics');
      expect(again.body).toEqual(kept.body);
      const rewritten = (await suite.harness.query(
        'SELECT id, kind, quality FROM episodes ORDER BY id',
      )) as { id: string; quality: string | null }[];
      expect(
        rewritten.map((row) => [row.id, JSON.parse(row.quality ?? 'null')]),
      ).toEqual(
        stored.map((row) => [row.id, JSON.parse(row.quality ?? 'null')]),
      );
      const verified = await auditor.request('GET', '/api/audit/verify');
      expect(verified.body).toMatchObject({ ok: true });
    },
  );

  maybe(
    'kept facts changed in the database do not change the report: replayed from the audit instead, left as found (a clinical write too), named by verification; a forged audit never becomes sealed facts',
    async () => {
      await seeded();
      const auditor = await as('auditor-ames');
      const honest = await auditor.request('GET', '/api/analytics');
      expect(honest.status).toBe(200);
      const [row] = (await suite.harness.query(
        "SELECT id, quality FROM episodes WHERE kind = 'real' ORDER BY id",
      )) as { id: string; quality: string }[];
      expect(row?.quality).toBeDefined();
      // An edit that would move the episode out of every indicator.
      const forged = JSON.stringify({
        ...(JSON.parse(row?.quality ?? '{}') as object),
        analysis: null,
      });
      await suite.harness.query(
        'UPDATE episodes SET quality = ? WHERE id = ?',
        [forged, row?.id],
      );
      const other = await suite.harness.another();
      const report = await new Api(other.url)
        .as(await login('auditor-ames'))
        .request('GET', '/api/analytics');
      expect(report.body).toEqual(honest.body);
      const [after] = (await suite.harness.query(
        'SELECT quality FROM episodes WHERE id = ?',
        [row?.id],
      )) as { quality: string }[];
      expect(after?.quality).toBe(forged);
      const verified = await auditor.request('GET', '/api/audit/verify');
      expect(verified.body).toMatchObject({
        ok: false,
        broken: [
          {
            episodeId: row?.id,
            reason: expect.stringContaining(
              'kept quality facts do not match their seal',
            ),
          },
        ],
      });
      // A clinical write is never refused for derived data, and leaves the
      // forged facts as found: verification still names them.
      const current = await auditor.request('GET', `/api/episodes/${row?.id}`);
      const labs = await (
        await as('dr-adams')
      ).request('POST', `/api/episodes/${row?.id}/events`, {
        type: 'labs.recorded',
        payload: { panel: panelOf(floridMas), collectedAt: now() },
        expectedVersion: current.body.version,
      });
      expect(labs.status).toBe(201);
      const [kept] = (await suite.harness.query(
        'SELECT quality FROM episodes WHERE id = ?',
        [row?.id],
      )) as { quality: string | null }[];
      expect(kept?.quality).toBe(forged);
      expect(
        JSON.stringify(
          (await auditor.request('GET', '/api/audit/verify')).body.broken,
        ),
      ).toContain('kept quality facts do not match their seal');
      // Forged facts and a forged audit entry together never become facts
      // the service vouches for: the replay of a chain that does not verify
      // is not written back.
      const [entry] = (await suite.harness.query(
        'SELECT id, rationale FROM audit_entries WHERE episode_id = ? AND seq = 1',
        [row?.id],
      )) as { id: string; rationale: string | null }[];
      await suite.harness.query(
        'UPDATE episodes SET quality = NULL, quality_seal = NULL WHERE id = ?',
        [row?.id],
      );
      await suite.harness.query(
        'UPDATE audit_entries SET rationale = ? WHERE id = ?',
        ['forged', entry?.id],
      );
      expect((await auditor.request('GET', '/api/analytics')).status).toBe(200);
      const [notKept] = (await suite.harness.query(
        'SELECT quality, quality_seal FROM episodes WHERE id = ?',
        [row?.id],
      )) as { quality: string | null; quality_seal: string | null }[];
      expect(notKept).toEqual({ quality: null, quality_seal: null });
      // The entry put back (the repair an operator makes: the facts
      // cleared), the next report keeps the facts anew, sealed.
      await suite.harness.query(
        'UPDATE audit_entries SET rationale = ? WHERE id = ?',
        [entry?.rationale ?? null, entry?.id],
      );
      const third = await suite.harness.another();
      expect(
        (
          await new Api(third.url)
            .as(await login('auditor-ames'))
            .request('GET', '/api/analytics')
        ).status,
      ).toBe(200);
      const [restored] = (await suite.harness.query(
        'SELECT quality, quality_seal FROM episodes WHERE id = ?',
        [row?.id],
      )) as { quality: string | null; quality_seal: string | null }[];
      expect(restored?.quality).not.toBeNull();
      expect(restored?.quality_seal).not.toBeNull();
      expect(
        (await auditor.request('GET', '/api/audit/verify')).body,
      ).toMatchObject({ ok: true });
    },
  );

  maybe(
    'a simulated cohort of one policy beside the real indicators, labelled model output; its query checked; only auditors and seniors',
    async () => {
      const auditor = await as('auditor-ames');
      const answer = await auditor.request(
        'GET',
        '/api/analytics/simulated?policy=protocol&runs=2&seed=7',
      );
      expect(answer.status).toBe(200);
      expect(answer.body.notice).toMatch(/never evidence/);
      expect(answer.body).toMatchObject({
        policy: 'protocol',
        runs: 2,
        seed: 7,
      });
      const scenarioCount = scenarios.length;
      expect(answer.body.episodes).toBe(scenarioCount * 2);
      const gc = answer.body.indicators['suspicion-to-glucocorticoid']
        .points as { ward: string | null; n: number }[];
      expect(gc.find((p) => p.ward === null)?.n).toBe(scenarioCount * 2);
      // The same question gives the same answer (kept, not run again).
      const again = await (
        await as('dr-baker')
      ).request(
        'GET',
        '/api/analytics/simulated?policy=protocol&runs=2&seed=7',
      );
      expect(again.body).toEqual(answer.body);
      for (const [query, field, rule] of [
        ['runs=11', 'query.runs', /1 to 10/],
        ['runs=0', 'query.runs', /1 to 10/],
        ['policy=yolo', 'query.policy', /policy of the simulator/],
        ['policy=constructor', 'query.policy', /policy of the simulator/],
        ['colour=red', 'query.colour', /colour/],
      ] as const) {
        const refused = await auditor.request(
          'GET',
          `/api/analytics/simulated?${query}`,
        );
        expect({ query, status: refused.status }).toEqual({
          query,
          status: 400,
        });
        expect(refused.body.field ?? 'query').toBe(field);
        expect(JSON.stringify(refused.body)).toMatch(rule);
      }
      expect(
        (
          await (
            await as('dr-adams')
          ).request('GET', '/api/analytics/simulated')
        ).status,
      ).toBe(403);
    },
    COHORT_TEST_TIMEOUT_MS,
  );

  maybe(
    'the service keeps answering while a simulated cohort is computed (in a worker thread, off the service thread)',
    async () => {
      const auditor = await as('auditor-ames');
      const cohortState = { answered: false };
      const cohort = auditor
        .request(
          'GET',
          `/api/analytics/simulated?policy=protocol&runs=10&seed=${engine === 'sqlite' ? '101' : '202'}`,
        )
        .then((answer) => {
          cohortState.answered = true;
          return answer;
        });
      // Five requests one after another while the cohort (100 courses)
      // computes: with the computation on the service's thread, none could
      // be answered before it.
      let answeredMeanwhile = 0;
      for (let n = 0; n < 5; n += 1) {
        const health = await fetch(`${suite.harness.service.url}/api/health`);
        expect(health.status).toBe(200);
        if (!cohortState.answered) answeredMeanwhile += 1;
      }
      const answer = await cohort;
      expect(answer.status).toBe(200);
      expect(answer.body.episodes).toBe(scenarios.length * 10);
      expect(answeredMeanwhile).toBeGreaterThanOrEqual(4);
    },
    COHORT_TEST_TIMEOUT_MS,
  );

  maybe(
    'at most three cohorts wait or compute: one more is a 503 saying why, and the ones taken are answered',
    async () => {
      const auditor = await as('auditor-ames');
      const base = engine === 'sqlite' ? 300 : 400;
      const answers = await Promise.all(
        [0, 1, 2, 3, 4].map((n) =>
          auditor.request(
            'GET',
            `/api/analytics/simulated?policy=protocol&runs=1&seed=${String(base + n)}`,
          ),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(3);
      expect(statuses.filter((status) => status === 503)).toHaveLength(2);
      const busy = answers.find((answer) => answer.status === 503);
      expect(busy?.body.message).toMatch(/ask again/);
      // Once they are done, the same questions are answered.
      const later = await auditor.request(
        'GET',
        `/api/analytics/simulated?policy=protocol&runs=1&seed=${String(base + 4)}`,
      );
      expect(later.status).toBe(200);
    },
    COHORT_TEST_TIMEOUT_MS,
  );

  maybe(
    'who read the quality report and the escalation decisions is in the access log, before the answer is sent',
    async () => {
      await seeded();
      const auditor = await as('auditor-ames');
      expect(
        (await auditor.request('GET', '/api/analytics?from=2026-03')).status,
      ).toBe(200);
      expect((await auditor.request('GET', '/api/escalations')).status).toBe(
        200,
      );
      const log = await auditor.request(
        'GET',
        '/api/audit/access?actor=auditor-ames&pageSize=100',
      );
      const items = log.body.items as {
        action: string;
        detail: string | Record<string, unknown> | null;
      }[];
      const actions = items.map((i) => i.action);
      expect(actions).toEqual(
        expect.arrayContaining(['quality.report', 'escalations.listed']),
      );
      // With the query it answered (entries of one instant come in any order).
      expect(
        items.some(
          (i) =>
            i.action === 'quality.report' &&
            JSON.stringify(i.detail).includes('"from":"2026-03"'),
        ),
      ).toBe(true);
    },
  );

  maybe(
    'an episode where MAS was excluded before any glucocorticoid is no missed start: counted apart from one still without',
    async () => {
      await seeded();
      suite.harness.clock.set(new Date('2026-07-01T08:00:00.000Z'));
      const untreated = await open('SYN-Q-UNTREATED', 'real');
      const excluded = await open('SYN-Q-EXCLUDED', 'real');
      const excludedLate = await open('SYN-Q-EXCLUDED-LATE', 'real');
      const exclude = async (episode: { id: string }, version: number) => {
        const sent = await (
          await as('dr-baker')
        ).request('POST', `/api/episodes/${episode.id}/events`, {
          type: 'diagnosis.excluded',
          payload: {},
          rationale: 'bacterial sepsis, ferritin falling',
          expectedVersion: version,
        });
        expect(sent.status).toBe(201);
      };
      suite.harness.clock.advance(HOUR);
      await exclude(excluded, excluded.version);
      // The first glucocorticoid's due time (6 h) passes, the scheduler
      // fires it; MAS excluded only then: that miss is not excused.
      suite.harness.clock.advance(6 * HOUR);
      await suite.harness.service.episodes.tickDue();
      await exclude(excludedLate, excludedLate.version + 1);
      const answer = await (
        await as('auditor-ames')
      ).request('GET', '/api/analytics?from=2026-07&to=2026-07');
      expect(answer.status).toBe(200);
      const points = answer.body.indicators['suspicion-to-glucocorticoid']
        .points as {
        ward: string | null;
        notStarted: { episodeIds: string[] };
        excludedBeforeStart: { episodeIds: string[] };
      }[];
      const all = points.find((p) => p.ward === null);
      expect(all?.excludedBeforeStart).toEqual({
        count: 1,
        episodeIds: [excluded.id],
      });
      expect([...(all?.notStarted.episodeIds ?? [])].sort()).toEqual(
        [untreated.id, excludedLate.id].sort(),
      );
    },
  );

  maybe(
    'an episode whose audit holds an entry this statechart cannot read (an earlier one wrote it) is named as not replayable, and the report is still answered',
    async () => {
      await seeded();
      suite.harness.clock.set(new Date('2026-06-01T08:00:00.000Z'));
      const legacy = await open('SYN-Q-LEGACY', 'real');
      suite.harness.clock.advance(HOUR);
      await pulse(legacy);
      // As an earlier statechart left it: an event this one no longer
      // knows, and no facts kept (written before the service kept them).
      await suite.harness.query(
        "UPDATE audit_entries SET type = 'legacy.noted' WHERE episode_id = ? AND seq = 1",
        [legacy.id],
      );
      await suite.harness.query(
        'UPDATE episodes SET quality = NULL, quality_seal = NULL WHERE id = ?',
        [legacy.id],
      );
      const answer = await (
        await as('auditor-ames')
      ).request('GET', '/api/analytics?from=2026-06');
      expect(answer.status).toBe(200);
      expect(answer.body.skipped).toContainEqual({
        episodeId: legacy.id,
        reason: 'not-replayable',
        detail: expect.any(String),
      });
    },
  );
});
