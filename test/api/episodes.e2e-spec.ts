/**
 * The episode service over real HTTP, on a real SQLite file and on a real
 * PostgreSQL database. Where none answers, the PostgreSQL tests skip with the
 * reason printed on a developer's machine and fail under CI
 * (`postgresRequirement`).
 */
import { describe, expect } from '@jest/globals';

import { WriteGate } from '@mas/api';
import { amira, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import {
  Api,
  ENGINES,
  PASSWORD,
  postgresRequirement,
  signedInSuite,
  startHarness,
  testUnder,
} from './api-harness.js';
import { labs, therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();
/** `it` for a test on PostgreSQL: runs, skips (developer machine) or fails (CI). */
const pgTest = testUnder(pgRequirement);

const florid = panelOf(floridMas, febrileSjia);

describe.each(ENGINES)('episode API on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['dr-baker', 'senior'],
    ['dr-chen', 'senior'],
    ['trainee-tan', 'trainee'],
    ['auditor-ames', 'auditor'],
    ['admin', 'admin'],
  ]);
  const { maybe, as } = suite;
  /** The service's time (the harness clock): when things happen in a test. */
  const now = () => suite.harness.clock.now().toISOString();

  async function openEpisode(
    kind: 'real' | 'training' = 'real',
    user = 'dr-adams',
  ) {
    const created = await as(user).request('POST', '/api/episodes', {
      patient: amira,
      kind,
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; version: number };
  }

  async function send(
    user: string,
    id: string,
    version: number,
    type: string,
    payload: unknown,
    extra: Record<string, unknown> = {},
  ) {
    return as(user).request('POST', `/api/episodes/${id}/events`, {
      type,
      payload,
      expectedVersion: version,
      ...extra,
    });
  }

  maybe(
    'runs a whole course from suspicion to remission, with a verified audit chain',
    async () => {
      const episode = await openEpisode();
      let version = episode.version;
      const steps: [string, (at: string) => unknown][] = [
        ['labs.recorded', (at) => labs(florid, at)],
        ['diagnosis.confirmed', () => ({ basis: 'criteria' })],
        ['therapy.started', (at) => therapy('methylprednisolone', at)],
      ];
      for (const [type, payload] of steps) {
        suite.harness.clock.advance(30 * 60_000);
        const result = await send(
          'dr-adams',
          episode.id,
          version,
          type,
          payload(now()),
        );
        expect(result.status).toBe(201);
        expect(result.body.version).toBe(version + 1);
        version = result.body.version;
      }
      suite.harness.clock.advance(10 * 3_600_000);
      const reassessed = await send(
        'dr-adams',
        episode.id,
        version,
        'reassessment.recorded',
        labs(panelOf(improved(floridMas), febrileSjia), now()),
      );
      expect(reassessed.body.lastResponse.verdict).toBe('responding');
      version = reassessed.body.version;
      const remission = await send(
        'dr-adams',
        episode.id,
        version,
        'remission.recorded',
        {},
      );
      expect(remission.status).toBe(201);
      expect(remission.body.stage).toBe('MAS confirmed · in remission');

      const detail = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${episode.id}`,
      );
      expect(detail.status).toBe(200);
      expect(detail.body.tags).toContain('remission');
      expect(detail.body.protocol.version).toBe('1.0.0');
      expect(
        detail.body.allowed.some(
          (o: { type: string }) => o.type === 'relapse.recorded',
        ),
      ).toBe(true);

      const audit = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${episode.id}/audit`,
      );
      expect(audit.body.map((e: { seq: number }) => e.seq)).toEqual([
        1, 2, 3, 4, 5,
      ]);
      expect(audit.body[2]).toMatchObject({
        type: 'therapy.started',
        // The dose as given: 30 mg/kg for 24 kg, day 1 of a 3-day pulse.
        payload: {
          drug: 'methylprednisolone',
          dose: { value: 720, unit: 'mg' },
          route: 'iv',
          schedule: { kind: 'pulse', day: 1, of: 3 },
        },
        actorId: 'dr-adams',
        actorRole: 'clinician',
        guard: { outcome: 'allowed' },
        stateAfter: { open: { treatment: { active: 'firstLine' } } },
      });
      expect(audit.body[1].prevHash).toBe(audit.body[0].hash);
      const verify = await as('auditor-ames').request(
        'GET',
        '/api/audit/verify',
      );
      expect(verify.body).toMatchObject({ ok: true, broken: [] });
    },
  );

  maybe(
    'answers 400 naming the field, 401, 403, 404 — and writes nothing',
    async () => {
      const episode = await openEpisode();
      const bad = await send(
        'dr-adams',
        episode.id,
        0,
        'therapy.started',
        therapy('methylprednisolone', now(), { drug: 'aspirin' }),
      );
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('body.payload.drug');
      const badPanel = await send(
        'dr-adams',
        episode.id,
        0,
        'labs.recorded',
        labs({ ferritin: { value: 'x', unit: 'ng/mL' } } as never, now()),
      );
      expect(badPanel.status).toBe(400);
      expect(badPanel.body.field).toBe('body.payload.panel.ferritin.value');
      expect(
        (await suite.api.request('GET', `/api/episodes/${episode.id}`)).status,
      ).toBe(401);
      expect(
        (await suite.api.as('not-a-token').request('GET', '/api/episodes'))
          .status,
      ).toBe(401);
      expect(
        (await send('auditor-ames', episode.id, 0, 'suspicion.recorded', {}))
          .status,
      ).toBe(403);
      expect((await as('admin').request('GET', '/api/episodes')).status).toBe(
        403,
      );
      expect(
        (
          await as('dr-adams').request(
            'GET',
            '/api/episodes/00000000-0000-0000-0000-000000000000',
          )
        ).status,
      ).toBe(404);
      expect(
        (await as('dr-adams').request('GET', '/api/episodes/not-an-id')).status,
      ).toBe(404);
      const malformed = await as('dr-adams').request(
        'POST',
        `/api/episodes/${episode.id}/events`,
        '{ not json',
      );
      expect(malformed.status).toBe(400);
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${episode.id}/audit`,
      );
      expect(audit.body).toEqual([]);
    },
  );

  maybe(
    'opening an episode: an impossible measure is a 400 naming the field and the bound, an unusual one a 422 until confirmed; nothing opened meanwhile',
    async () => {
      const count = async () =>
        Number(
          (
            (await suite.harness.query(
              'SELECT COUNT(*) AS n FROM episodes',
            )) as {
              n: number | string;
            }[]
          )[0]?.n,
        );
      const before = await count();
      const open = (patient: object, extra: object = {}) =>
        as('dr-adams').request('POST', '/api/episodes', {
          patient: { ...amira, ...patient },
          ...extra,
        });
      const impossible: [object, string, RegExp][] = [
        [
          { weightKg: 1e308 },
          'patient.weightKg',
          /outside the plausible range 0\.3-350 kg: above the maximum 350 kg/,
        ],
        [{ weightKg: 0.1 }, 'patient.weightKg', /below the minimum 0\.3 kg/],
        [{ heightCm: 300 }, 'patient.heightCm', /above the maximum 250 cm/],
        [
          { birthDate: '9999-12-31' },
          'patient.birthDate',
          /9999-12-31 is after .*: a birth date cannot be in the future/,
        ],
      ];
      for (const [patient, field, bound] of impossible) {
        const refused = await open(patient);
        expect({ field, status: refused.status }).toEqual({
          field,
          status: 400,
        });
        expect(refused.body.field).toBe(field);
        expect(refused.body.rule).toMatch(bound);
        // Confirming does not make the impossible possible.
        const confirmed = await open(patient, {
          confirmUnusual: [field.replace('patient.', '')],
        });
        expect(confirmed.status).toBe(400);
      }
      // 240 kg: possible, but most often a slip (lb for kg).
      const unusual = await open({ weightKg: 240 });
      expect(unusual.status).toBe(422);
      expect(unusual.body).toMatchObject({
        unusualFields: ['weightKg'],
        message: expect.stringMatching(
          /^unusual patient measures, confirm each \(confirmUnusual\) or correct it: patient\.weightKg: Weight 240 kg is above the usual range 1-200 kg/,
        ),
      });
      const otherConfirmed = await open(
        { weightKg: 240 },
        { confirmUnusual: ['heightCm'] },
      );
      expect(otherConfirmed.status).toBe(422);
      expect(otherConfirmed.body.unusualFields).toEqual(['weightKg']);
      expect(await count()).toBe(before);

      const confirmed = await open(
        { weightKg: 240 },
        { confirmUnusual: ['weightKg'] },
      );
      expect(confirmed.status).toBe(201);
      expect(confirmed.body.patient.weightKg).toBe(240);
      expect(await count()).toBe(before + 1);
    },
  );

  maybe('409 for a stale expectedVersion, nothing written', async () => {
    const episode = await openEpisode();
    expect(
      (
        await send(
          'dr-adams',
          episode.id,
          0,
          'labs.recorded',
          labs(florid, now()),
        )
      ).status,
    ).toBe(201);
    const stale = await send(
      'dr-adams',
      episode.id,
      0,
      'therapy.started',
      therapy('methylprednisolone', now()),
    );
    expect(stale.status).toBe(409);
    const audit = await as('dr-adams').request(
      'GET',
      `/api/episodes/${episode.id}/audit`,
    );
    expect(audit.body).toHaveLength(1);
  });

  maybe(
    '422 when the machine refuses: a senior approving their own request, with the reason; recorded apart',
    async () => {
      const episode = await openEpisode();
      let version = 0;
      for (const [user, type, payload, rationale] of [
        [
          'dr-adams',
          'therapy.started',
          therapy('methylprednisolone', now()),
          undefined,
        ],
        [
          'dr-adams',
          'severity.assessed',
          { severe: true, rapidlyWorsening: true },
          undefined,
        ],
        [
          'dr-baker',
          'escalation.requested',
          {
            requestId: 'r1',
            drug: 'etoposide',
            evidence: ['seed.refractory.3'],
          },
          'worsening on steroids',
        ],
      ] as const) {
        const result = await send(
          user,
          episode.id,
          version,
          type,
          payload,
          rationale ? { rationale } : {},
        );
        expect(result.status).toBe(201);
        version = result.body.version;
      }
      const own = await send(
        'dr-baker',
        episode.id,
        version,
        'escalation.approved',
        { requestId: 'r1' },
        { rationale: 'I agree with myself' },
      );
      expect(own.status).toBe(422);
      expect(own.body.message).toMatch(
        /dr-baker made this request and cannot also decide it/,
      );
      const other = await send(
        'dr-chen',
        episode.id,
        version,
        'escalation.approved',
        { requestId: 'r1' },
        { rationale: 'agreed' },
      );
      expect(other.status).toBe(201);
      const rejected = (await suite.harness.query(
        'SELECT reason FROM rejected_attempts WHERE episode_id = ?',
        [episode.id],
      )) as { reason: string }[];
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.reason).toMatch(/four eyes/);
    },
  );

  maybe(
    'the same Idempotency-Key returns the first answer and writes nothing',
    async () => {
      const episode = await openEpisode();
      const headers = { 'idempotency-key': `key-${episode.id}` };
      const body = {
        type: 'labs.recorded',
        payload: labs(florid, now()),
        expectedVersion: 0,
      };
      const first = await as('dr-adams').request(
        'POST',
        `/api/episodes/${episode.id}/events`,
        body,
        headers,
      );
      const again = await as('dr-adams').request(
        'POST',
        `/api/episodes/${episode.id}/events`,
        body,
        headers,
      );
      expect(first.status).toBe(201);
      expect(again).toEqual(first);
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${episode.id}/audit`,
      );
      expect(audit.body).toHaveLength(1);
    },
  );

  maybe(
    'an Idempotency-Key names one request: reused on another episode or with another body it is a 422 naming it and writes nothing; sent twice at once, one event; after a day it is free',
    async () => {
      const first = await openEpisode();
      const second = await openEpisode();
      const key = `scoped-${first.id}`;
      const headers = { 'idempotency-key': key };
      const body = {
        type: 'labs.recorded',
        payload: labs(florid, now()),
        expectedVersion: 0,
      };
      const post = (id: string, sent: unknown) =>
        as('dr-adams').request(
          'POST',
          `/api/episodes/${id}/events`,
          sent,
          headers,
        );
      expect((await post(first.id, body)).status).toBe(201);
      const elsewhere = await post(second.id, body);
      expect(elsewhere.status).toBe(422);
      expect(elsewhere.body).toMatchObject({
        field: 'idempotency-key',
        rule: expect.stringContaining('another request'),
      });
      const otherBody = await post(first.id, {
        ...body,
        rationale: 'a different request',
      });
      expect(otherBody.status).toBe(422);
      expect(otherBody.body.rule).toMatch(/different body/);
      const versions = await Promise.all(
        [first.id, second.id].map(
          async (id) =>
            (await as('dr-adams').request('GET', `/api/episodes/${id}`)).body
              .version as number,
        ),
      );
      expect(versions).toEqual([1, 0]);
      // The same new request twice at once: one event, one answer for both.
      const twice = { 'idempotency-key': `twice-${second.id}` };
      const answers = await Promise.all(
        [0, 1].map(() =>
          as('dr-adams').request(
            'POST',
            `/api/episodes/${second.id}/events`,
            body,
            twice,
          ),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201]);
      expect(answers[1]?.body).toEqual(answers[0]?.body);
      expect(
        (await as('dr-adams').request('GET', `/api/episodes/${second.id}`)).body
          .version,
      ).toBe(1);
      // Another user's identical key is another request.
      const baker = await as('dr-baker').request(
        'POST',
        `/api/episodes/${first.id}/events`,
        { ...body, expectedVersion: 1 },
        headers,
      );
      expect(baker.status).toBe(201);
      // A day later the key is free again.
      suite.harness.clock.advance(24 * 3600_000 + 60_000);
      const later = await post(first.id, {
        ...body,
        payload: labs(florid, now()),
        expectedVersion: 2,
      });
      expect(later.status).toBe(201);
    },
  );

  maybe(
    'an expired Idempotency-Key is never honoured, its record still stored or not; the scheduler purges expired records and keeps live ones',
    async () => {
      const episode = await openEpisode();
      const post = (key: string, sent: Record<string, unknown>) =>
        as('dr-adams').request(
          'POST',
          `/api/episodes/${episode.id}/events`,
          { type: 'labs.recorded', ...sent },
          { 'idempotency-key': key },
        );
      const stored = (keys: string[]) =>
        suite.harness.query(
          `SELECT "key" FROM idempotency_keys WHERE "key" IN (${keys.map(() => '?').join(', ')}) ORDER BY "key"`,
          keys,
        ) as Promise<{ key: string }[]>;
      const key = `expiring-${episode.id}`;
      const first = { payload: labs(florid, now()), expectedVersion: 0 };
      expect((await post(key, first)).status).toBe(201);
      suite.harness.clock.advance(24 * 3600_000 + 60_000);
      // The record is still in the table (no purge has run): the lookup
      // itself refuses it. Honoured, the repeat would get the first 201.
      expect(await stored([key])).toHaveLength(1);
      const repeat = await post(key, first);
      expect(repeat.status).toBe(409);
      expect(repeat.body.message).toMatch(/expectedVersion 0 is stale/);
      // A key used now, and the one that expired: the scheduler's step (it
      // runs as the service starts) deletes the expired record alone.
      const live = `live-${episode.id}`;
      expect(
        (await post(live, { payload: labs(florid, now()), expectedVersion: 1 }))
          .status,
      ).toBe(201);
      await suite.harness.restart();
      expect(await stored([key, live])).toEqual([{ key: live }]);
    },
  );

  maybe(
    'two concurrent writers with the same expectedVersion: exactly one wins',
    async () => {
      const episode = await openEpisode();
      const results = await Promise.all([
        send('dr-adams', episode.id, 0, 'labs.recorded', labs(florid, now())),
        send(
          'dr-baker',
          episode.id,
          0,
          'therapy.started',
          therapy('methylprednisolone', now()),
        ),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${episode.id}/audit`,
      );
      expect(audit.body).toHaveLength(1);
    },
  );

  maybe(
    'many writers at once, some stale: every acknowledged event is in the audit, nothing else is, and the chains verify',
    async () => {
      const episodes = [await openEpisode(), await openEpisode()];
      const versions = episodes.map(() => 0);
      let acknowledged = 0;
      // On SQLite the writes arriving together share commits (group commit).
      const gate =
        engine === 'sqlite'
          ? WriteGate.for(suite.harness.service.dataSource)
          : null;
      const before = gate ? { ...gate.committed } : null;
      const clinician = {
        id: 'direct',
        username: 'dr-adams',
        role: 'clinician' as const,
      };
      // Eight writers per episode, each sending with the version it last
      // saw: one wins, the others get 409 (rolled back). Half of them call
      // the service in the same tick (over HTTP arrivals are spread out and
      // the race hides), half go over HTTP.
      const direct = (id: string, version: number) =>
        suite.harness.service.episodes
          .send(
            id,
            {
              type: 'labs.recorded',
              payload: labs(florid, now()),
              expectedVersion: version,
            },
            clinician,
            undefined,
          )
          .then(
            (answer) => answer,
            (error: unknown) => ({
              status: (error as { status?: number }).status ?? 500,
              body: { error: String(error) },
            }),
          );
      for (let round = 0; round < 6; round += 1) {
        const results = await Promise.all(
          episodes.flatMap((episode, index) =>
            Array.from({ length: 8 }, (_, writer) =>
              (writer % 2 === 0
                ? direct(episode.id, versions[index] ?? 0)
                : send(
                    'dr-adams',
                    episode.id,
                    versions[index] ?? 0,
                    'labs.recorded',
                    labs(florid, now()),
                  )
              ).then((result) => ({ index, result })),
            ),
          ),
        );
        for (const { index, result } of results) {
          // The body is in the message when the status is wrong.
          expect([201, 409, result.body]).toContain(result.status);
          if (result.status === 201) {
            acknowledged += 1;
            versions[index] = Math.max(
              versions[index] ?? 0,
              result.body.version as number,
            );
          }
        }
      }
      let audited = 0;
      for (const [index, episode] of episodes.entries()) {
        const audit = await as('dr-adams').request(
          'GET',
          `/api/episodes/${episode.id}/audit`,
        );
        const current = await as('dr-adams').request(
          'GET',
          `/api/episodes/${episode.id}`,
        );
        expect(current.body.version).toBe(versions[index]);
        expect(audit.body).toHaveLength(versions[index] ?? -1);
        audited += (audit.body as unknown[]).length;
      }
      expect(audited).toBe(acknowledged);
      if (gate && before) {
        expect(gate.committed.writes - before.writes).toBeGreaterThan(
          gate.committed.transactions - before.transactions,
        );
      }
      const verify = await as('auditor-ames').request(
        'GET',
        '/api/audit/verify',
      );
      expect(verify.body.ok).toBe(true);
    },
  );

  maybe('trainees work on training episodes only', async () => {
    expect(
      (
        await as('trainee-tan').request('POST', '/api/episodes', {
          patient: amira,
          kind: 'real',
        })
      ).status,
    ).toBe(403);
    const training = await openEpisode('training', 'trainee-tan');
    const real = await openEpisode('real', 'dr-adams');
    // A real episode is, to a trainee, one that does not exist.
    expect(
      (await as('trainee-tan').request('GET', `/api/episodes/${real.id}`))
        .status,
    ).toBe(404);
    expect(
      (await as('trainee-tan').request('GET', `/api/episodes/${training.id}`))
        .status,
    ).toBe(200);
    const list = await as('trainee-tan').request('GET', '/api/episodes');
    expect(
      list.body.items.every((e: { kind: string }) => e.kind === 'training'),
    ).toBe(true);
    // Training episodes never appear among real ones.
    const board = await as('dr-adams').request(
      'GET',
      '/api/episodes?pageSize=100',
    );
    const kinds = new Set(
      board.body.items.map((e: { kind: string }) => e.kind),
    );
    expect([...kinds]).toEqual(['real']);
    const ids = board.body.items.map((e: { id: string }) => e.id);
    expect(ids).toContain(real.id);
    expect(ids).not.toContain(training.id);
    const practice = await as('dr-adams').request(
      'GET',
      '/api/episodes?kind=training&pageSize=100',
    );
    expect(practice.body.items.map((e: { id: string }) => e.id)).toContain(
      training.id,
    );
    expect(
      (await as('dr-adams').request('GET', '/api/episodes?kind=other')).body,
    ).toMatchObject({ message: expect.stringContaining('kind') });
  });

  maybe(
    'training: a trainee runs a scenario on a virtual clock, sees its labs, decides, and gets a debrief beside the protocol policy (model output)',
    async () => {
      const trainee = as('trainee-tan');
      const scenarios = await trainee.request('GET', '/api/training/scenarios');
      expect(scenarios.status).toBe(200);
      expect(scenarios.body.notice).toMatch(/never evidence/);
      expect(
        scenarios.body.scenarios.map((s: { id: string }) => s.id),
      ).toContain('infection-triggered');
      const bad = await trainee.request('POST', '/api/training/episodes', {
        scenarioId: 'nope',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('body.scenarioId');

      const started = await trainee.request('POST', '/api/training/episodes', {
        scenarioId: 'infection-triggered',
        seed: 31,
      });
      expect(started.status).toBe(201);
      const id = started.body.episodeId as string;
      expect(started.body).toMatchObject({
        virtualHours: 0,
        alive: true,
        seed: 31,
      });
      expect(started.body.labs.ferritin.unit).toBe('ng/mL');
      // The same seed gives the same virtual patient.
      const twin = await trainee.request('POST', '/api/training/episodes', {
        scenarioId: 'infection-triggered',
        seed: 31,
      });
      expect(twin.body.labs).toEqual(started.body.labs);
      // Training episodes are listed apart from real ones.
      const board = await as('dr-adams').request(
        'GET',
        '/api/episodes?pageSize=100',
      );
      expect(board.body.items.map((e: { id: string }) => e.id)).not.toContain(
        id,
      );

      // The service sets the time of a training episode's events (its
      // virtual clock); a time sent by the client is refused.
      const timed = await trainee.request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type: 'labs.recorded',
          payload: labs(started.body.labs, now()),
          occurredAt: '2026-01-01T00:00:00Z',
          expectedVersion: 0,
        },
      );
      expect(timed.status).toBe(400);
      expect(timed.body.field).toBe('body.occurredAt');
      let version = 0;
      for (const [type, payload] of [
        ['labs.recorded', labs(started.body.labs, now())],
        ['diagnosis.confirmed', { basis: 'criteria' }],
        ['therapy.started', therapy('methylprednisolone', now())],
      ] as const) {
        const sent = await trainee.request(
          'POST',
          `/api/episodes/${id}/events`,
          { type, payload, expectedVersion: version },
        );
        expect(sent.status).toBe(201);
        version = sent.body.version;
      }
      const later = await trainee.request(
        'POST',
        `/api/training/episodes/${id}/advance`,
        { hours: 14 },
      );
      expect(later.status).toBe(200);
      expect(later.body.virtualHours).toBe(14);
      expect(later.body.results.infection).toBe(true);
      const episode = await trainee.request('GET', `/api/episodes/${id}`);
      // The machine got the scheduler's tick at the virtual time: the
      // 12-hourly reassessment is overdue.
      expect(episode.body.tags).toContain('overdue');
      expect(
        (
          await trainee.request(
            'POST',
            `/api/training/episodes/${id}/advance`,
            {
              hours: 0,
            },
          )
        ).status,
      ).toBe(400);
      // The infection result is in: the trainee records the trigger but
      // starts no antimicrobials, and lets another 14 h pass.
      const identified = await trainee.request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type: 'trigger.identified',
          payload: { trigger: 'infection' },
          expectedVersion: episode.body.version,
        },
      );
      expect(identified.status).toBe(201);
      await trainee.request('POST', `/api/training/episodes/${id}/advance`, {
        hours: 14,
      });

      const scored = await trainee.request(
        'GET',
        `/api/training/episodes/${id}/debrief`,
      );
      expect(scored.status).toBe(200);
      expect(scored.body.notice).toMatch(/never evidence/);
      const rule = (side: string, id: string) =>
        scored.body[side].items.find((i: { rule: string }) => i.rule === id);
      // No antimicrobials for the infection, and a late reassessment: points lost,
      // each with its evidence; the protocol policy's course kept them.
      expect(rule('trainee', 'antimicrobials')).toMatchObject({
        earned: 0,
        evidence: ['seed.subtype.3', 'seed.pitfalls.2'],
      });
      expect(rule('trainee', 'reassessments-on-time').earned).toBeLessThan(
        rule('trainee', 'reassessments-on-time').points,
      );
      expect(rule('protocolPolicy', 'antimicrobials').earned).toBe(15);
      expect(scored.body.trainee.score).toBeLessThan(
        scored.body.protocolPolicy.score,
      );
      // Identified at the virtual time, not the wall clock.
      const audit = await trainee.request('GET', `/api/episodes/${id}/audit`);
      expect(
        audit.body.find(
          (e: { type: string }) => e.type === 'trigger.identified',
        ).occurredAt,
      ).toBe(later.body.virtualNow);
      // The auditor reads no training.
      expect(
        (
          await as('auditor-ames').request(
            'GET',
            `/api/training/episodes/${id}`,
          )
        ).status,
      ).toBe(403);
    },
  );

  maybe('a tampered audit row is named by the verification', async () => {
    const episode = await openEpisode();
    expect(
      (
        await send(
          'dr-adams',
          episode.id,
          0,
          'labs.recorded',
          labs(florid, now()),
        )
      ).status,
    ).toBe(201);
    const pulse = therapy('methylprednisolone', now());
    expect(
      (await send('dr-adams', episode.id, 1, 'therapy.started', pulse)).status,
    ).toBe(201);
    // A tenfold dose written behind the service's back.
    await suite.harness.query(
      'UPDATE audit_entries SET payload = ? WHERE episode_id = ? AND seq = 2',
      [
        JSON.stringify({ ...pulse, dose: { value: 7200, unit: 'mg' } }),
        episode.id,
      ],
    );
    const verify = await as('auditor-ames').request('GET', '/api/audit/verify');
    expect(verify.body.ok).toBe(false);
    expect(verify.body.broken).toContainEqual(
      expect.objectContaining({
        episodeId: episode.id,
        seq: 2,
        reason: expect.stringContaining(
          'content does not match its authentication code',
        ),
      }),
    );
    const own = await as('dr-adams').request(
      'GET',
      `/api/episodes/${episode.id}/audit/verify`,
    );
    expect(own.body).toMatchObject({
      ok: false,
      broken: {
        seq: 2,
        reason: expect.stringContaining(
          'content does not match its authentication code',
        ),
      },
    });
  });

  maybe(
    'lists episodes by urgency, filters overdue, and paginates',
    async () => {
      const late = await openEpisode();
      expect(
        (
          await send(
            'dr-adams',
            late.id,
            0,
            'therapy.started',
            therapy('methylprednisolone', now()),
          )
        ).status,
      ).toBe(201);
      suite.harness.clock.advance(13 * 3_600_000);
      // Time passes by the scheduler's tick alone.
      await suite.harness.service.episodes.tickDue();
      // Opened since: nothing of it is due yet.
      const calm = await openEpisode();
      const overdue = await as('dr-adams').request(
        'GET',
        '/api/episodes?overdue=true&pageSize=100',
      );
      expect(overdue.body.items.map((e: { id: string }) => e.id)).toContain(
        late.id,
      );
      expect(overdue.body.items.map((e: { id: string }) => e.id)).not.toContain(
        calm.id,
      );
      const first = await as('dr-adams').request(
        'GET',
        '/api/episodes?pageSize=1',
      );
      expect(first.body.items).toHaveLength(1);
      expect(first.body.items[0].overdue).toBe(true);
      expect(first.body.total).toBeGreaterThan(1);
      // The total counts the episodes of the list's kind and filter, every page.
      const all = await as('dr-adams').request(
        'GET',
        '/api/episodes?pageSize=100',
      );
      expect(all.body.total).toBeLessThan(100);
      expect(all.body.total).toBe(all.body.items.length);
      expect(first.body.total).toBe(all.body.total);
      expect(overdue.body.total).toBe(overdue.body.items.length);
      expect(overdue.body.total).toBeLessThan(all.body.total);
      const training = await as('dr-adams').request(
        'GET',
        '/api/episodes?kind=training&pageSize=100',
      );
      expect(training.body.total).toBe(training.body.items.length);
      expect(
        all.body.items.every((e: { kind: string }) => e.kind === 'real'),
      ).toBe(true);
    },
  );

  maybe(
    'the admin creates users; a bad one is 400, a duplicate 409',
    async () => {
      const created = await as('admin').request('POST', '/api/users', {
        username: 'dr-new',
        password: PASSWORD,
        role: 'clinician',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        username: 'dr-new',
        role: 'clinician',
      });
      expect(created.body.passwordHash).toBeUndefined();
      expect(
        (
          await as('admin').request('POST', '/api/users', {
            username: 'dr-new',
            password: PASSWORD,
            role: 'clinician',
          })
        ).status,
      ).toBe(409);
      const weak = await as('admin').request('POST', '/api/users', {
        username: 'dr-weak',
        password: 'short',
        role: 'clinician',
      });
      expect(weak.status).toBe(400);
      expect(weak.body.field).toBe('body.password');
      expect(
        (
          await as('dr-adams').request('POST', '/api/users', {
            username: 'x',
            password: PASSWORD,
            role: 'admin',
          })
        ).status,
      ).toBe(403);
      const login = await suite.api.request('POST', '/api/auth/login', {
        username: 'dr-new',
        password: PASSWORD,
      });
      expect(login.status).toBe(200);
    },
  );

  maybe('OpenAPI at /api/docs lists the routes', async () => {
    const json = await suite.api.request('GET', '/api/docs-json');
    expect(json.status).toBe(200);
    expect(Object.keys(json.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/episodes',
        '/api/episodes/{id}/events',
        '/api/audit/verify',
        '/api/escalations',
      ]),
    );
    const html = await fetch(`${suite.harness.service.url}/api/docs`);
    expect(html.status).toBe(200);
  });

  maybe('health needs no token; everything else does', async () => {
    expect((await suite.api.request('GET', '/api/health')).status).toBe(200);
    expect((await suite.api.request('GET', '/api/protocol')).status).toBe(401);
    expect(
      (await as('auditor-ames').request('GET', '/api/protocol')).body.version,
    ).toBe('1.0.0');
    expect(
      (
        await suite.api.request('POST', '/api/auth/login', {
          username: 'dr-adams',
          password: 'wrong',
        })
      ).status,
    ).toBe(401);
  });

  maybe(
    'the scheduler fires due times from the database: overdue reassessment, lateness recorded',
    async () => {
      const episode = await openEpisode();
      expect(
        (
          await send(
            'dr-adams',
            episode.id,
            0,
            'therapy.started',
            therapy('methylprednisolone', now()),
          )
        ).status,
      ).toBe(201);
      suite.harness.clock.advance(13 * 3_600_000);
      const { fired } = await suite.harness.service.episodes.tickDue();
      expect(fired).toBeGreaterThanOrEqual(1);
      const detail = await as('dr-adams').request(
        'GET',
        `/api/episodes/${episode.id}`,
      );
      expect(detail.body.tags).toContain('overdue');
      expect(detail.body.context.firedDues).toContainEqual(
        expect.objectContaining({
          id: 'reassessment',
          latenessMinutes: expect.any(Number),
        }),
      );
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${episode.id}/audit`,
      );
      expect(audit.body.at(-1)).toMatchObject({
        type: 'clock.ticked',
        actorId: 'scheduler',
        actorRole: 'system',
      });
      // Nothing more is due: a second pass fires nothing for this episode.
      await suite.harness.service.episodes.tickDue();
      const again = await as('dr-adams').request(
        'GET',
        `/api/episodes/${episode.id}/audit`,
      );
      expect(again.body).toHaveLength(audit.body.length);
    },
  );

  maybe(
    'a due time that passed while the service was down fires on start, with its lateness',
    async () => {
      const episode = await openEpisode();
      expect(
        (
          await send(
            'dr-adams',
            episode.id,
            0,
            'therapy.started',
            therapy('methylprednisolone', now()),
          )
        ).status,
      ).toBe(201);
      await suite.harness.restart(() => {
        suite.harness.clock.advance(15 * 3_600_000);
      });
      const detail = await as('dr-adams').request(
        'GET',
        `/api/episodes/${episode.id}`,
      );
      expect(detail.status).toBe(200);
      expect(detail.body.tags).toContain('overdue');
      const fired = detail.body.context.firedDues.find(
        (d: { id: string }) => d.id === 'reassessment',
      );
      expect(fired.latenessMinutes).toBeGreaterThanOrEqual(120);
    },
  );

  maybe('the state at a past time equals the state recorded then', async () => {
    const episode = await openEpisode();
    let version = 0;
    for (const [type, payload] of [
      ['labs.recorded', (at: string) => labs(florid, at)],
      ['therapy.started', (at: string) => therapy('methylprednisolone', at)],
      ['hold.started', () => ({ reason: 'transfer' })],
      ['hold.ended', () => ({})],
    ] as const) {
      suite.harness.clock.advance(3_600_000);
      const result = await send(
        'dr-adams',
        episode.id,
        version,
        type,
        payload(now()),
      );
      expect(result.status).toBe(201);
      version = result.body.version;
    }
    const audit = await as('dr-adams').request(
      'GET',
      `/api/episodes/${episode.id}/audit`,
    );
    for (const entry of audit.body) {
      const at = new Date(entry.recordedAt).toISOString();
      const state = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${episode.id}/state?at=${encodeURIComponent(at)}`,
      );
      expect(state.status).toBe(200);
      expect(state.body.value).toEqual(entry.stateAfter);
      expect(state.body.replayedEntries).toBe(entry.seq);
    }
    const bad = await as('auditor-ames').request(
      'GET',
      `/api/episodes/${episode.id}/state?at=yesterday`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('at');
    // Before the episode opened there is no state to show.
    const before = await as('auditor-ames').request(
      'GET',
      `/api/episodes/${episode.id}/state?at=1970-01-01T00:00:00Z`,
    );
    expect({ status: before.status, field: before.body.field }).toEqual({
      status: 400,
      field: 'at',
    });
    expect(before.body.message).toContain('there is no state before it');
    // An unknown parameter is refused, naming it, not silently ignored.
    const stray = await as('auditor-ames').request(
      'GET',
      `/api/episodes/${episode.id}/state?at=2030-01-01T00:00:00Z&junk=1`,
    );
    expect({ status: stray.status, field: stray.body.field }).toEqual({
      status: 400,
      field: 'junk',
    });
  });

  const matrix: [string, string, (id: string) => [string, string, unknown?]][] =
    [
      ['list episodes', 'GET', () => ['GET', '/api/episodes']],
      ['read an episode', 'GET', (id) => ['GET', `/api/episodes/${id}`]],
      ['read its audit', 'GET', (id) => ['GET', `/api/episodes/${id}/audit`]],
      [
        'verify its audit',
        'GET',
        (id) => ['GET', `/api/episodes/${id}/audit/verify`],
      ],
      [
        'read its past state',
        'GET',
        (id) => ['GET', `/api/episodes/${id}/state?at=2030-01-01T00:00:00Z`],
      ],
      [
        'open an episode',
        'POST',
        () => ['POST', '/api/episodes', { patient: amira, kind: 'training' }],
      ],
      [
        'record an event',
        'POST',
        (id) => [
          'POST',
          `/api/episodes/${id}/events`,
          {
            type: 'labs.recorded',
            payload: labs({}, now()),
            expectedVersion: 0,
          },
        ],
      ],
      ['verify the audit', 'GET', () => ['GET', '/api/audit/verify']],
      ['read the protocol', 'GET', () => ['GET', '/api/protocol']],
      ['read the escalation report', 'GET', () => ['GET', '/api/escalations']],
      ['list users', 'GET', () => ['GET', '/api/users']],
      [
        'list training scenarios',
        'GET',
        () => ['GET', '/api/training/scenarios'],
      ],
    ];
  const allowed: Record<string, string[]> = {
    'list episodes': ['dr-adams', 'dr-baker', 'trainee-tan', 'auditor-ames'],
    'read an episode': ['dr-adams', 'dr-baker', 'trainee-tan', 'auditor-ames'],
    'read its audit': ['dr-adams', 'dr-baker', 'trainee-tan', 'auditor-ames'],
    'verify its audit': ['dr-adams', 'dr-baker', 'trainee-tan', 'auditor-ames'],
    'read its past state': [
      'dr-adams',
      'dr-baker',
      'trainee-tan',
      'auditor-ames',
    ],
    'open an episode': ['dr-adams', 'dr-baker', 'trainee-tan'],
    'list training scenarios': ['dr-adams', 'dr-baker', 'trainee-tan'],
    'record an event': ['dr-adams', 'dr-baker', 'trainee-tan'],
    'verify the audit': ['dr-adams', 'dr-baker', 'auditor-ames', 'admin'],
    'read the protocol': [
      'dr-adams',
      'dr-baker',
      'trainee-tan',
      'auditor-ames',
      'admin',
    ],
    'read the escalation report': ['dr-adams', 'dr-baker', 'auditor-ames'],
    'list users': ['admin'],
  };

  maybe(
    'the escalation report: requester, approver, rationale, evidence, hours from warranted to decision; CSV too',
    async () => {
      const episode = await openEpisode();
      let version = 0;
      /** Who, what, the payload at the time of sending, why, hours later. */
      const steps: [
        string,
        string,
        (at: string) => unknown,
        string?,
        number?,
      ][] = [
        ['dr-adams', 'labs.recorded', (at) => labs(florid, at)],
        [
          'dr-adams',
          'therapy.started',
          (at) => therapy('methylprednisolone', at),
        ],
        // Too early for the laboratory rule at 12 h (the example profile
        // judges from 48 h): a senior judges the response inadequate on
        // clinical grounds, with the reason.
        [
          'dr-baker',
          'reassessment.recorded',
          (at) => labs(florid, at, { clinicalJudgement: 'inadequate' }),
          'no clinical improvement after 12 h',
          12,
        ],
        [
          'dr-baker',
          'escalation.requested',
          () => ({
            requestId: 'esc-1',
            drug: 'ruxolitinib',
            evidence: ['seed.refractory.2'],
          }),
          'no response after 12 h',
          2,
        ],
        [
          'dr-chen',
          'escalation.approved',
          () => ({ requestId: 'esc-1' }),
          'agree',
          1,
        ],
        [
          'dr-baker',
          'screening.recorded',
          () => ({ kind: 'tb-screening', result: 'overridden' }),
          'no time: worsening fast',
        ],
        [
          'dr-baker',
          'screening.recorded',
          () => ({ kind: 'zoster-prophylaxis', result: 'done' }),
        ],
      ];
      for (const [user, type, payload, rationale, hours] of steps) {
        suite.harness.clock.advance((hours ?? 0.5) * 3_600_000);
        const result = await send(
          user,
          episode.id,
          version,
          type,
          payload(now()),
          rationale ? { rationale } : {},
        );
        // The body is in the message when the status is wrong.
        expect([201, result.body]).toContain(result.status);
        version = result.body.version;
      }
      const report = await as('auditor-ames').request(
        'GET',
        '/api/escalations',
      );
      expect(report.status).toBe(200);
      const mine = report.body.filter(
        (d: { episodeId: string }) => d.episodeId === episode.id,
      );
      expect(mine).toEqual([
        // The senior's judgement on clinical grounds: the route to escalation.
        expect.objectContaining({
          decision: 'response-judged-inadequate-on-clinical-grounds',
          decidedBy: 'dr-baker',
          role: 'senior-clinician',
          rationale: 'no clinical improvement after 12 h',
          hoursFromWarrantedToDecision: null,
        }),
        expect.objectContaining({
          decision: 'requested',
          drug: 'ruxolitinib',
          requestedBy: 'dr-baker',
          // A request is not a decision: nobody decided it yet.
          decidedBy: null,
          rationale: 'no response after 12 h',
          hoursFromWarrantedToDecision: 2,
        }),
        expect.objectContaining({
          decision: 'approved',
          drug: 'ruxolitinib',
          requestedBy: 'dr-baker',
          decidedBy: 'dr-chen',
          rationale: 'agree',
          hoursFromWarrantedToDecision: 3,
        }),
        // An override of a safeguard is listed; a screening done is not.
        expect.objectContaining({
          decision: 'screening-overridden: tb-screening',
          decidedBy: 'dr-baker',
          rationale: 'no time: worsening fast',
        }),
      ]);
      const csv = await fetch(
        `${suite.harness.service.url}/api/escalations?format=csv`,
        {
          headers: { authorization: `Bearer ${suite.token('auditor-ames')}` },
        },
      );
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const text = await csv.text();
      expect(text.split('\n')[0]).toMatch(
        /^episodeId,patientIdentifier,kind,seq,decision,drug/,
      );
      expect(text).toContain('dr-chen');
      // The CSV holds what the auditor's filtered screen shows.
      const approvals = await fetch(
        `${suite.harness.service.url}/api/escalations?format=csv&decision=approved&kind=real`,
        {
          headers: { authorization: `Bearer ${suite.token('auditor-ames')}` },
        },
      );
      const lines = (await approvals.text()).trim().split('\n').slice(1);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((line) => line.includes(',approved,'))).toBe(true);
      const none = await as('auditor-ames').request(
        'GET',
        '/api/escalations?to=2000-01-01',
      );
      expect(none.body).toEqual([]);
      // A bad filter names its field and rule, and is never a 500.
      for (const [query, field] of [
        ['from=2026-13-40', 'query.from'],
        ['to=yesterday', 'query.to'],
        ['kind=fake', 'query.kind'],
        ['format=xml', 'query.format'],
        ['colour=red', 'query'],
      ] as const) {
        const bad = await as('auditor-ames').request(
          'GET',
          `/api/escalations?${query}`,
        );
        expect([query, bad.status]).toEqual([query, 400]);
        expect(bad.body.message).toContain(field);
      }
    },
  );

  maybe(
    'the escalation report lists a dose confirmed outside its range, the confirmation as its reason; a dose within the limits is not listed',
    async () => {
      const episode = await openEpisode();
      const reason = 'rounded up to the 1 g vial';
      const confirmed = await send(
        'dr-adams',
        episode.id,
        0,
        'therapy.started',
        therapy('methylprednisolone', now(), {
          dose: { value: 1, unit: 'g' },
          doseConfirmation: reason,
        }),
      );
      expect(confirmed.status).toBe(201);
      // Within the limits: a confirmation nobody needed confirms nothing.
      const within = await send(
        'dr-adams',
        episode.id,
        1,
        'therapy.started',
        therapy('methylprednisolone', now(), {
          schedule: { kind: 'pulse', day: 2, of: 3 },
          doseConfirmation: 'as prescribed',
        }),
      );
      expect(within.status).toBe(201);
      // The running course's dose changed outside its range, confirmed: a
      // decision of the same kind, listed too. (Both records began at one
      // instant: its start names the later recorded.)
      const startedAt = now();
      suite.harness.clock.advance(60 * 60_000);
      const raised = 'raised again on the ward round';
      const changed = await send(
        'dr-adams',
        episode.id,
        2,
        'therapy.dose-changed',
        therapy('methylprednisolone', now(), {
          dose: { value: 1, unit: 'g' },
          doseConfirmation: raised,
          startedAt,
        }),
      );
      expect([changed.status, changed.body.message]).toEqual([201, undefined]);
      const report = await as('auditor-ames').request(
        'GET',
        '/api/escalations',
      );
      const mine = report.body.filter(
        (d: { episodeId: string }) => d.episodeId === episode.id,
      );
      expect(mine).toEqual([
        expect.objectContaining({
          seq: 1,
          decision: 'dose-outside-range-confirmed',
          drug: 'methylprednisolone',
          decidedBy: 'dr-adams',
          rationale: reason,
        }),
        expect.objectContaining({
          seq: 3,
          decision: 'dose-outside-range-confirmed',
          drug: 'methylprednisolone',
          decidedBy: 'dr-adams',
          rationale: raised,
        }),
      ]);
    },
  );

  maybe(
    'the escalation report: an emergency start with a dose confirmed keeps its own reason, the confirmation beside it; a decision dated before the finding that warranted it has no hours, never negative ones',
    async () => {
      const episode = await openEpisode();
      const steps: [string, string, unknown, Record<string, unknown>][] = [
        ['dr-adams', 'labs.recorded', labs(florid, now()), {}],
        [
          'dr-adams',
          'therapy.started',
          therapy('methylprednisolone', now()),
          {},
        ],
        [
          'dr-baker',
          'severity.assessed',
          { severe: true, rapidlyWorsening: true },
          {},
        ],
        [
          'dr-baker',
          'screening.recorded',
          { kind: 'tb-screening', result: 'done' },
          {},
        ],
        [
          'dr-baker',
          'screening.recorded',
          { kind: 'zoster-prophylaxis', result: 'done' },
          {},
        ],
        // Dated half an hour before the worsening was recorded.
        [
          'dr-baker',
          'escalation.requested',
          {
            requestId: 'esc-early',
            drug: 'etoposide',
            evidence: ['seed.refractory.3'],
          },
          {
            rationale: 'asked on the ward round',
            occurredAt: new Date(Date.parse(now()) - 1_800_000).toISOString(),
          },
        ],
        [
          'dr-baker',
          'therapy.started',
          therapy('ruxolitinib', now(), {
            emergency: true,
            dose: { value: 30, unit: 'mg' },
            doseConfirmation: 'rounded to whole tablets',
          }),
          { rationale: 'collapse overnight, no second senior on site' },
        ],
        ['dr-chen', 'escalation.countersigned', { drug: 'ruxolitinib' }, {}],
      ];
      let version = 0;
      for (const [user, type, payload, extra] of steps) {
        suite.harness.clock.advance(3_600_000);
        const result = await send(
          user,
          episode.id,
          version,
          type,
          payload,
          extra,
        );
        expect([201, type, result.body]).toContain(result.status);
        version = result.body.version;
      }
      const report = await as('auditor-ames').request(
        'GET',
        '/api/escalations',
      );
      const mine = report.body.filter(
        (d: { episodeId: string }) => d.episodeId === episode.id,
      );
      expect(mine).toEqual([
        expect.objectContaining({
          decision: 'requested',
          drug: 'etoposide',
          hoursFromWarrantedToDecision: null,
        }),
        expect.objectContaining({
          decision: 'emergency-start',
          drug: 'ruxolitinib',
          rationale:
            'collapse overnight, no second senior on site; dose outside range confirmed: rounded to whole tablets',
          // Worsening recorded at the third hour, the start at the seventh.
          hoursFromWarrantedToDecision: 4,
        }),
        // Four eyes shown: who started it beside who countersigned.
        expect.objectContaining({
          decision: 'countersigned',
          drug: 'ruxolitinib',
          requestedBy: 'dr-baker',
          decidedBy: 'dr-chen',
        }),
      ]);
    },
  );

  maybe(
    'the role matrix: every endpoint x every role (and no token)',
    async () => {
      const users = [
        'dr-adams',
        'dr-baker',
        'trainee-tan',
        'auditor-ames',
        'admin',
      ];
      for (const [name, , route] of matrix) {
        for (const user of [...users, 'nobody']) {
          // A trainee reaches the training episodes they opened (another's:
          // test/api/trainee-isolation.e2e-spec.ts).
          const training = await openEpisode(
            'training',
            user === 'trainee-tan' ? 'trainee-tan' : 'dr-adams',
          );
          const [method, path, body] = route(training.id);
          const client = user === 'nobody' ? suite.api : as(user);
          const result = await client.request(method, path, body);
          const expected =
            user === 'nobody'
              ? 'denied-401'
              : allowed[name]?.includes(user)
                ? 'allowed'
                : 'denied-403';
          const actual =
            result.status === 401
              ? 'denied-401'
              : result.status === 403
                ? 'denied-403'
                : 'allowed';
          expect(`${name} as ${user}: ${actual}`).toBe(
            `${name} as ${user}: ${expected}`,
          );
          if (actual === 'allowed') expect(result.status).toBeLessThan(300);
        }
      }
    },
    60_000,
  );
});

describe('several service instances on one PostgreSQL', () => {
  pgTest(
    'a due reassessment fires exactly once',
    async () => {
      const harness = await startHarness('postgres');
      try {
        const second = await harness.another();
        await harness.service.users.create('dr-adams', PASSWORD, 'clinician');
        const api = new Api(harness.service.url);
        const login = await api.request('POST', '/api/auth/login', {
          username: 'dr-adams',
          password: PASSWORD,
        });
        const client = api.as(login.body.token);
        const ids: string[] = [];
        for (let i = 0; i < 5; i += 1) {
          const created = await client.request('POST', '/api/episodes', {
            patient: amira,
          });
          ids.push(created.body.id);
          await client.request(
            'POST',
            `/api/episodes/${created.body.id}/events`,
            {
              type: 'therapy.started',
              payload: therapy(
                'methylprednisolone',
                harness.clock.now().toISOString(),
              ),
              expectedVersion: 0,
            },
          );
        }
        harness.clock.advance(13 * 3_600_000);
        const [a, b] = await Promise.all([
          harness.service.episodes.tickDue(),
          second.episodes.tickDue(),
        ]);
        expect(a.fired + b.fired).toBe(5);
        for (const id of ids) {
          const audit = await client.request(
            'GET',
            `/api/episodes/${id}/audit`,
          );
          expect(
            audit.body.filter(
              (e: { type: string }) => e.type === 'clock.ticked',
            ),
          ).toHaveLength(1);
        }
      } finally {
        await harness.close();
      }
    },
    60_000,
  );

  pgTest(
    "each instance steps the episode as stored: a write through another instance is never hidden by one's own recent snapshot",
    async () => {
      const harness = await startHarness('postgres');
      try {
        const second = await harness.another();
        await harness.service.users.create('dr-adams', PASSWORD, 'clinician');
        const login = await new Api(harness.service.url).request(
          'POST',
          '/api/auth/login',
          { username: 'dr-adams', password: PASSWORD },
        );
        const first = new Api(harness.service.url).as(login.body.token);
        const other = new Api(second.url).as(login.body.token);
        const created = await first.request('POST', '/api/episodes', {
          patient: amira,
        });
        const id = created.body.id as string;
        const panel = panelOf(floridMas, febrileSjia);
        // The first instance writes (and keeps its snapshot at version 1) ...
        expect(
          (
            await first.request('POST', `/api/episodes/${id}/events`, {
              type: 'labs.recorded',
              payload: labs(panel, harness.clock.now().toISOString()),
              expectedVersion: 0,
            })
          ).status,
        ).toBe(201);
        // ... the second starts the pulse (version 2) ...
        expect(
          (
            await other.request('POST', `/api/episodes/${id}/events`, {
              type: 'therapy.started',
              payload: therapy(
                'methylprednisolone',
                harness.clock.now().toISOString(),
              ),
              expectedVersion: 1,
            })
          ).status,
        ).toBe(201);
        // ... and the first's next event builds on version 2, pulse included.
        const third = await first.request(
          'POST',
          `/api/episodes/${id}/events`,
          {
            type: 'labs.recorded',
            payload: labs(panel, harness.clock.now().toISOString()),
            expectedVersion: 2,
          },
        );
        expect(third.status).toBe(201);
        expect(third.body.version).toBe(3);
        // What is stored (read from the database, not from any instance).
        const [stored] = (await harness.query(
          'SELECT snapshot, version FROM episodes WHERE id = $1',
          [id],
        )) as { snapshot: string; version: number }[];
        expect(stored?.version).toBe(3);
        const context = (
          JSON.parse(stored?.snapshot ?? '{}') as {
            context: { therapies: { drug: string }[] };
          }
        ).context;
        expect(context.therapies.map((t) => t.drug)).toContain(
          'methylprednisolone',
        );
        expect(
          (await first.request('GET', `/api/episodes/${id}/audit/verify`)).body
            .ok,
        ).toBe(true);
      } finally {
        await harness.close();
      }
    },
    60_000,
  );
});
