/**
 * Safe at the bedside: what the events route refuses, over real HTTP, on a
 * real SQLite file and a real PostgreSQL database. Who may record an event
 * (403), what a record must hold and when its clinical times may lie (400
 * naming the field and the limit), which values are impossible (400) or
 * unusual (422 until confirmed), and which doses need a confirmation (soft
 * limit, 422 until confirmed) or are refused whatever is said (hard limit).
 * A refused request changes nothing: version, audit, clock and due times.
 */
import { describe, expect } from '@jest/globals';

import type { Patient } from '@mas/contracts';
import {
  amira,
  dario,
  febrileSjia,
  floridMas,
  improved,
  panelOf,
} from '@mas/testing';

import { ENGINES, postgresRequirement, signedInSuite } from './api-harness.js';
import { labs, therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();

const florid = panelOf(floridMas, febrileSjia);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe.each(ENGINES)('recording events safely on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['dr-baker', 'senior'],
    ['trainee-tan', 'trainee'],
    ['auditor-ames', 'auditor'],
  ]);
  const { maybe, as } = suite;
  /** The service's time (the harness clock), as an ISO instant. */
  const now = () => suite.harness.clock.now().toISOString();
  /** The service's time moved by `ms`. */
  const from = (ms: number) =>
    new Date(suite.harness.clock.now().getTime() + ms).toISOString();

  async function openEpisode(
    patient: Patient = amira,
    kind: 'real' | 'training' = 'real',
    user = 'dr-adams',
  ) {
    const created = await as(user).request('POST', '/api/episodes', {
      patient,
      kind,
    });
    expect(created.status).toBe(201);
    return {
      id: created.body.id as string,
      openedAt: created.body.context.openedAt as string,
    };
  }

  async function send(
    user: string,
    id: string,
    version: number,
    type: string,
    payload: unknown,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    return as(user).request(
      'POST',
      `/api/episodes/${id}/events`,
      { type, payload, expectedVersion: version, ...extra },
      headers,
    );
  }

  /** Sends and insists on a 201; the new version. */
  async function accepted(
    user: string,
    id: string,
    version: number,
    type: string,
    payload: unknown,
    extra: Record<string, unknown> = {},
  ): Promise<number> {
    const result = await send(user, id, version, type, payload, extra);
    // The body is in the message when the status is wrong.
    expect([201, result.body]).toContain(result.status);
    return result.body.version as number;
  }

  /**
   * What a refused request must leave as it was: the version, the audit,
   * the episode's clock, its due times and what it holds.
   */
  async function stored(id: string) {
    const episode = await as('dr-adams').request('GET', `/api/episodes/${id}`);
    const audit = await as('dr-adams').request(
      'GET',
      `/api/episodes/${id}/audit`,
    );
    return {
      version: episode.body.version as number,
      audit: (audit.body as { seq: number; hash: string }[]).map((e) => [
        e.seq,
        e.hash,
      ]),
      now: episode.body.context.now as string,
      nextDueAt: episode.body.nextDueAt as string | null,
      dues: episode.body.context.dues as unknown,
      therapies: episode.body.context.therapies as unknown,
      lastPanel: episode.body.context.lastPanel as unknown,
    };
  }

  async function rejectedAttempts(id: string): Promise<number> {
    const rows = (await suite.harness.query(
      'SELECT COUNT(*) AS n FROM rejected_attempts WHERE episode_id = ?',
      [id],
    )) as { n: number | string }[];
    return Number(rows[0]?.n);
  }

  /** A new episode with the standard methylprednisolone pulse started: its id and version. */
  async function onPulse(): Promise<{ id: string; version: number }> {
    const { id } = await openEpisode();
    const started = therapy('methylprednisolone', now());
    return {
      id,
      version: await accepted('dr-adams', id, 0, 'therapy.started', started),
    };
  }

  maybe(
    'a pulse is a glucocorticoid schedule: a new anakinra pulse is a 422 naming schedule.kind and writes nothing; a dexamethasone pulse is taken',
    async () => {
      const opened = await onPulse();
      const { id } = opened;
      let { version } = opened;
      const pulse = { kind: 'pulse', day: 1, of: 3 };
      const dexamethasone = await send(
        'dr-adams',
        id,
        version,
        'therapy.started',
        therapy('dexamethasone', now(), { schedule: pulse }),
      );
      expect(dexamethasone.status).toBe(201);
      version += 1;
      const before = await stored(id);
      const attempts = await rejectedAttempts(id);
      const anakinra = await send(
        'dr-baker',
        id,
        version,
        'therapy.started',
        therapy('anakinra', now(), { schedule: pulse }),
        { rationale: 'early targeted therapy on a glucocorticoid background' },
      );
      expect(anakinra.status).toBe(422);
      expect(anakinra.body.message).toContain(
        'schedule.kind: a pulse (day n of N) is not a schedule for anakinra in the protocol',
      );
      expect(anakinra.body.field).toBe('body.payload.schedule.kind');
      expect(await stored(id)).toEqual(before);
      // (Refused, it is kept among the rejected attempts, not the record.)
      expect(await rejectedAttempts(id)).toBe(attempts + 1);
    },
  );

  maybe(
    'a new weight: an impossible one is a 400 naming the field, an unusual one a 422 to confirm, neither changes anything; taken, later dose checks use it',
    async () => {
      const { id } = await openEpisode();
      const before = await stored(id);
      const impossible = await send('dr-adams', id, 0, 'measures.recorded', {
        weightKg: 1e308,
      });
      expect(impossible.status).toBe(400);
      expect(impossible.body.field).toBe('body.payload.weightKg');
      const none = await send('dr-adams', id, 0, 'measures.recorded', {});
      expect(none.status).toBe(400);
      expect(none.body.field).toBe('body.payload.weightKg');
      const unusual = await send('dr-adams', id, 0, 'measures.recorded', {
        weightKg: 240,
      });
      expect(unusual.status).toBe(422);
      expect(unusual.body.unusualFields).toEqual(['weightKg']);
      expect(await stored(id)).toEqual(before);
      // Weighed again: 12 kg, not the 24 kg of admission. Half the weight
      // held is a likely slip: confirmed first (a 422 naming it, nothing
      // written), since the doses are computed from it.
      const halved = await send('dr-adams', id, 0, 'measures.recorded', {
        weightKg: 12,
      });
      expect(halved.status).toBe(422);
      expect(halved.body.unusualFields).toEqual(['weightKg']);
      expect(halved.body.message).toContain(
        'Weight 12 kg is less than the 24 kg recorded before by a factor of 2',
      );
      expect(await stored(id)).toEqual(before);
      let version = await accepted('dr-adams', id, 0, 'measures.recorded', {
        weightKg: 12,
        confirmUnusual: ['weightKg'],
      });
      const episode = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      expect(episode.body.context.patient.weightKg).toBe(12);
      // The pulse computed for 24 kg is now twice the range's upper end.
      const pulse = await send(
        'dr-adams',
        id,
        version,
        'therapy.started',
        therapy('methylprednisolone', now()),
      );
      expect(pulse.status).toBe(422);
      expect(pulse.body.message).toContain('above the soft limit of 360 mg');
      version = await accepted(
        'dr-adams',
        id,
        version,
        'therapy.started',
        therapy('methylprednisolone', now(), {
          dose: { value: 360, unit: 'mg' },
        }),
      );
      expect(version).toBe(2);
      // The same pulse recorded again: taken (a glucocorticoid is never
      // gated), and the day's total said in the answer, for whoever
      // recorded it to see now (as well as in the audit's reason).
      const again = await send(
        'dr-adams',
        id,
        version,
        'therapy.started',
        therapy('methylprednisolone', now(), {
          dose: { value: 360, unit: 'mg' },
        }),
      );
      expect(again.status).toBe(201);
      // (And that the drug already runs: a course recorded twice?)
      expect(again.body.warnings).toEqual([
        expect.stringMatching(
          /^daily total warning, not a block: methylprednisolone 720 mg in one day \(2 doses under this record and another record\) is above the soft limit of 360 mg per day/,
        ),
        expect.stringMatching(
          /^methylprednisolone is already running \(started .* at 360 mg\): if this is the same course, stop the duplicate record$/,
        ),
      ]);
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}/audit`,
      );
      expect(
        (audit.body as { guard: { reason: string } }[]).at(-1)?.guard.reason,
      ).toContain(again.body.warnings[0]);
    },
  );

  maybe(
    'a weight measured before the one held is recorded and said in the answer, never used for doses; one measured after it is recorded is a 422 naming payload.measuredAt, nothing written',
    async () => {
      const { id } = await openEpisode();
      suite.harness.clock.advance(2 * HOUR);
      let version = await accepted('dr-adams', id, 0, 'measures.recorded', {
        weightKg: 23,
        measuredAt: from(-HOUR),
      });
      const weighedAt = from(-HOUR);
      // Typed in late: the weight of admission morning, before the 23 kg.
      const late = await send('dr-adams', id, version, 'measures.recorded', {
        weightKg: 22,
        measuredAt: from(-1.5 * HOUR),
      });
      expect(late.status).toBe(201);
      expect(late.body.warnings).toEqual([
        `the weight of 22 kg measured ${from(-1.5 * HOUR)} is older than the weight held (23 kg, measured ${weighedAt}): recorded, not used for doses`,
      ]);
      version = late.body.version as number;
      const episode = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      expect(episode.body.context.patient.weightKg).toBe(23);
      // (The admission's height: measured before the opening, no time.)
      expect(episode.body.context.measuredAt).toEqual({ weightKg: weighedAt });
      // The audit's reason keeps what was said.
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}/audit`,
      );
      expect(
        (audit.body as { guard: { reason: string } }[]).at(-1)?.guard.reason,
      ).toContain(late.body.warnings[0]);
      const before = await stored(id);
      const future = await send('dr-adams', id, version, 'measures.recorded', {
        weightKg: 23,
        measuredAt: from(HOUR),
      });
      expect(future.status).toBe(422);
      expect(future.body.message).toMatch(
        /payload\.measuredAt .* lies after the time the event was recorded/,
      );
      const malformed = await send(
        'dr-adams',
        id,
        version,
        'measures.recorded',
        {
          weightKg: 23,
          measuredAt: 'yesterday',
        },
      );
      expect(malformed.status).toBe(400);
      expect(malformed.body.field).toBe('body.payload.measuredAt');
      expect(await stored(id)).toEqual(before);
    },
  );

  maybe(
    'the clock is the scheduler’s and refractory requests a senior’s: 403 naming body.type and the rule, nothing written',
    async () => {
      const { id } = await openEpisode();
      const training = await openEpisode(amira, 'training', 'trainee-tan');
      const before = await stored(id);
      for (const user of ['dr-adams', 'dr-baker']) {
        const tick = await send(user, id, 0, 'clock.ticked', {});
        expect(tick.status).toBe(403);
        expect(tick.body).toEqual({
          field: 'body.type',
          rule: 'the clock is moved by the service scheduler alone, never by a user',
          message:
            'body.type: the clock is moved by the service scheduler alone, never by a user',
        });
      }
      // On a training episode too: its clock is the training service's.
      const traineeTick = await send(
        'trainee-tan',
        training.id,
        0,
        'clock.ticked',
        {},
      );
      expect(traineeTick.status).toBe(403);
      expect(traineeTick.body.field).toBe('body.type');

      const request = await send(
        'dr-adams',
        id,
        0,
        'escalation.requested',
        { requestId: 'r1', drug: 'etoposide', evidence: ['seed.refractory.3'] },
        { rationale: 'worsening on steroids' },
      );
      expect(request.status).toBe(403);
      expect(request.body).toMatchObject({
        field: 'body.type',
        rule: 'escalation.requested is recorded by a senior clinician',
      });
      for (const type of ['escalation.approved', 'escalation.rejected']) {
        const decided = await send(
          'dr-adams',
          id,
          0,
          type,
          { requestId: 'r1' },
          { rationale: 'agreed' },
        );
        expect(decided.status).toBe(403);
        expect(decided.body.rule).toMatch(/senior clinician/);
      }
      expect(await stored(id)).toEqual(before);
      expect(await rejectedAttempts(id)).toBe(0);
      // A prescriber may still record what the table gives them.
      await accepted(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy('methylprednisolone', now()),
      );
    },
  );

  maybe(
    'an incomplete record is a 400 naming the missing field; nothing written',
    async () => {
      const { id } = await openEpisode();
      const before = await stored(id);
      const complete = therapy('methylprednisolone', now());
      const omit = (field: string) =>
        Object.fromEntries(
          Object.entries(complete).filter(([key]) => key !== field),
        );
      const cases: [string, unknown, string][] = [
        ['therapy.started', omit('dose'), 'body.payload.dose'],
        ['therapy.started', omit('route'), 'body.payload.route'],
        ['therapy.started', omit('schedule'), 'body.payload.schedule'],
        ['therapy.started', omit('givenAt'), 'body.payload.givenAt'],
        // The former record: a bare figure in mg, without route or time.
        [
          'therapy.started',
          { drug: 'methylprednisolone', doseMg: 720 },
          'body.payload.dose',
        ],
        [
          'therapy.started',
          { ...complete, dose: { value: 0, unit: 'mg' } },
          'body.payload.dose.value',
        ],
        [
          'therapy.started',
          { ...complete, schedule: { kind: 'pulse', day: 4, of: 3 } },
          'body.payload.schedule.day',
        ],
        ['labs.recorded', { panel: florid }, 'body.payload.collectedAt'],
        [
          'reassessment.recorded',
          { panel: florid },
          'body.payload.collectedAt',
        ],
        [
          'other-therapy.started',
          {
            recordId: 'ivig-1',
            medication: {
              system: 'http://www.whocc.no/atc',
              code: 'J06BA02',
              display: 'immunoglobulin, normal human, intravascular',
            },
            route: 'iv',
            schedule: { kind: 'once' },
            givenAt: now(),
          },
          'body.payload.dose',
        ],
      ];
      for (const [type, payload, field] of cases) {
        const result = await send('dr-adams', id, 0, type, payload);
        expect({ type, field, status: result.status }).toEqual({
          type,
          field,
          status: 400,
        });
        expect(result.body.field).toBe(field);
        expect(result.body.message).toContain(field);
        expect(typeof result.body.rule).toBe('string');
      }
      expect(await stored(id)).toEqual(before);
      expect(await rejectedAttempts(id)).toBe(0);
    },
  );

  maybe(
    'a clinical time more than 5 min past the service clock is a 400 naming the field and the limit; within the skew it is taken',
    async () => {
      const { id } = await openEpisode();
      suite.harness.clock.advance(HOUR);
      const before = await stored(id);
      const limit = `must not lie in the future (more than 5 min after ${now()})`;
      const cases: [string, unknown, Record<string, unknown>, string][] = [
        [
          'therapy.started',
          therapy('methylprednisolone', from(6 * MINUTE)),
          {},
          'body.payload.givenAt',
        ],
        [
          'labs.recorded',
          labs(florid, from(DAY)),
          {},
          'body.payload.collectedAt',
        ],
        [
          'reassessment.recorded',
          labs(florid, from(5 * MINUTE + 1000)),
          {},
          'body.payload.collectedAt',
        ],
        [
          'suspicion.recorded',
          {},
          { occurredAt: from(6 * MINUTE) },
          'body.occurredAt',
        ],
        // The event's own time is checked as well as the payload's.
        [
          'labs.recorded',
          labs(florid, now()),
          { occurredAt: from(HOUR) },
          'body.occurredAt',
        ],
      ];
      for (const [type, payload, extra, field] of cases) {
        const result = await send('dr-adams', id, 0, type, payload, extra);
        expect({ type, field, status: result.status }).toEqual({
          type,
          field,
          status: 400,
        });
        expect(result.body).toEqual({
          field,
          rule: limit,
          message: `${field}: ${limit}`,
        });
      }
      expect(await stored(id)).toEqual(before);

      // A ward device a few minutes ahead of the server is clock skew.
      let version = await accepted(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy('methylprednisolone', from(4 * MINUTE)),
      );
      // A stop time is a clinical time too.
      const stop = await send(
        'dr-adams',
        id,
        version,
        'therapy.stopped',
        { drug: 'methylprednisolone', stoppedAt: from(2 * HOUR) },
        { rationale: 'course interrupted' },
      );
      expect(stop.status).toBe(400);
      expect(stop.body.field).toBe('body.payload.stoppedAt');
      version = await accepted(
        'dr-adams',
        id,
        version,
        'therapy.stopped',
        // Not before it was given (within the skew too).
        { drug: 'methylprednisolone', stoppedAt: from(4 * MINUTE) },
        { rationale: 'course interrupted' },
      );
      expect(version).toBe(2);
    },
  );

  maybe(
    'before the episode opened: with a rationale, up to 14 days back; never earlier',
    async () => {
      const { id, openedAt } = await openEpisode();
      const opened = Date.parse(openedAt);
      const before = (ms: number) => new Date(opened - ms).toISOString();
      const referral = 'labs from the referring hospital';

      const unexplained = await send(
        'dr-adams',
        id,
        0,
        'labs.recorded',
        labs(florid, before(2 * DAY)),
      );
      expect(unexplained.status).toBe(400);
      expect(unexplained.body).toMatchObject({
        field: 'body.payload.collectedAt',
        rule: `lies before the episode opened (${openedAt}): recording what happened before admission needs a rationale`,
      });
      // Within the clock skew of the opening (a form's "now" typed to the
      // minute just after opening the episode): the admission itself, no
      // rationale (on another episode, opened the same way).
      const other = await openEpisode();
      const otherOpened = Date.parse(other.openedAt);
      const withinSkew = await send(
        'dr-adams',
        other.id,
        0,
        'labs.recorded',
        labs(florid, new Date(otherOpened - MINUTE).toISOString()),
      );
      expect(withinSkew.status).toBe(201);
      const tooOld = await send(
        'dr-adams',
        id,
        0,
        'labs.recorded',
        labs(florid, before(14 * DAY + MINUTE)),
        { rationale: referral },
      );
      expect(tooOld.status).toBe(400);
      expect(tooOld.body).toMatchObject({
        field: 'body.payload.collectedAt',
        rule: `must not lie more than 336 h before the episode opened (${openedAt})`,
      });
      const occurredTooOld = await send(
        'dr-adams',
        id,
        0,
        'suspicion.recorded',
        {},
        { occurredAt: before(15 * DAY), rationale: referral },
      );
      expect(occurredTooOld.status).toBe(400);
      expect(occurredTooOld.body.field).toBe('body.occurredAt');
      expect(await stored(id)).toMatchObject({ version: 0, audit: [] });

      // Exactly 14 days back, with a rationale: taken.
      let version = await accepted(
        'dr-adams',
        id,
        0,
        'labs.recorded',
        labs(florid, before(14 * DAY)),
        { rationale: referral },
      );
      // A pulse given at the referring hospital 10 h before admission is
      // dated when it was given, and recorded now.
      const givenAt = before(10 * HOUR);
      version = await accepted(
        'dr-adams',
        id,
        version,
        'therapy.started',
        therapy('methylprednisolone', givenAt),
        { rationale: 'pulse day 1 given at the referring hospital' },
      );
      const episode = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      expect(episode.body.context.therapies[0]).toMatchObject({
        drug: 'methylprednisolone',
        startedAt: givenAt,
        recordedAt: now(),
      });
      expect(episode.body.context.firstGlucocorticoidAt).toBe(givenAt);
      expect(version).toBe(2);
    },
  );

  maybe(
    'a therapy is dated when it was given, not when it was recorded: a pulse given in time but entered late is not late',
    async () => {
      const { id, openedAt } = await openEpisode();
      // Given 5 h after the suspicion (within the 6 h the example profile
      // allows), entered 3 h later.
      const givenAt = new Date(Date.parse(openedAt) + 5 * HOUR).toISOString();
      suite.harness.clock.advance(8 * HOUR);
      await accepted(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy('methylprednisolone', givenAt),
      );
      await suite.harness.service.episodes.tickDue();
      const episode = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      expect(episode.body.context).toMatchObject({
        firstGlucocorticoidAt: givenAt,
        therapies: [{ startedAt: givenAt, recordedAt: now() }],
      });
      expect(
        (episode.body.alerts as { id: string }[]).map((a) => a.id),
      ).not.toContain('glucocorticoid-delayed');
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}/audit`,
      );
      expect(audit.body[0]).toMatchObject({
        occurredAt: now(),
        payload: { givenAt },
      });
    },
  );

  maybe(
    'an event dated 2099 is refused and moves nothing: the scheduler still makes the reassessment overdue',
    async () => {
      const { id } = await openEpisode();
      const givenAt = now();
      const version = await accepted(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy('methylprednisolone', givenAt),
      );
      const due = new Date(Date.parse(givenAt) + 12 * HOUR).toISOString();
      const before = await stored(id);
      expect(before.dues).toMatchObject({ reassessment: { dueAt: due } });

      suite.harness.clock.advance(HOUR);
      const future = '2099-01-01T00:00:00.000Z';
      for (const [type, payload, extra, field] of [
        [
          'reassessment.recorded',
          labs(panelOf(improved(floridMas), febrileSjia), future),
          {},
          'body.payload.collectedAt',
        ],
        [
          'reassessment.recorded',
          labs(panelOf(improved(floridMas), febrileSjia), now()),
          { occurredAt: future },
          'body.occurredAt',
        ],
        [
          'therapy.started',
          therapy('dexamethasone', future),
          {},
          'body.payload.givenAt',
        ],
        [
          'hold.started',
          { reason: 'transfer' },
          { occurredAt: future },
          'body.occurredAt',
        ],
      ] as const) {
        const result = await send(
          'dr-adams',
          id,
          version,
          type,
          payload,
          extra,
        );
        expect({
          type,
          status: result.status,
          field: result.body.field,
        }).toEqual({ type, status: 400, field });
      }
      // Nothing moved: not the version, the audit, the clock or the due time.
      expect(await stored(id)).toEqual(before);

      suite.harness.clock.advance(12 * HOUR);
      const { fired } = await suite.harness.service.episodes.tickDue();
      expect(fired).toBeGreaterThanOrEqual(1);
      const episode = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      expect(episode.body.tags).toContain('overdue');
      expect(episode.body.context.now).toBe(now());
      expect(episode.body.context.firedDues).toContainEqual(
        expect.objectContaining({ id: 'reassessment', dueAt: due }),
      );
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}/audit`,
      );
      expect(
        (audit.body as { type: string; occurredAt: string }[]).map((e) => [
          e.type,
          e.occurredAt,
        ]),
      ).toEqual([
        ['therapy.started', givenAt],
        ['clock.ticked', now()],
      ]);
    },
  );

  maybe(
    'opening a second episode of a patient with one still open names the open one (opened all the same); not once it has ended, nor for training episodes',
    async () => {
      const patient = { ...amira, identifier: 'SYN-TWICE-1' };
      const { id: first } = await openEpisode(patient);
      const second = await as('dr-adams').request('POST', '/api/episodes', {
        patient,
      });
      expect(second.status).toBe(201);
      expect(second.body.openEpisodes).toEqual([
        {
          id: first,
          openedAt: expect.any(String),
          stage: expect.any(String),
        },
      ]);
      // Both ended: a third one finds none open.
      for (const id of [first, second.body.id as string]) {
        await accepted(
          'dr-baker',
          id,
          0,
          'diagnosis.excluded',
          {},
          { rationale: 'another diagnosis' },
        );
      }
      const third = await as('dr-adams').request('POST', '/api/episodes', {
        patient,
      });
      expect(third.status).toBe(201);
      expect(third.body.openEpisodes).toBeUndefined();
      // Training episodes share the scenarios' identifiers: never said.
      const trainee = { ...amira, identifier: 'SYN-TWICE-T' };
      await openEpisode(trainee, 'training', 'trainee-tan');
      const again = await as('trainee-tan').request('POST', '/api/episodes', {
        patient: trainee,
        kind: 'training',
      });
      expect(again.status).toBe(201);
      expect(again.body.openEpisodes).toBeUndefined();
    },
  );

  maybe(
    'an ended episode is due for nothing: no due time shown, and the scheduler never ticks it (no refused tick stored at every step)',
    async () => {
      const { id } = await openEpisode();
      const version = await accepted(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy('methylprednisolone', now()),
      );
      const running = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      expect(running.body.nextDueAt).not.toBeNull();
      await accepted(
        'dr-baker',
        id,
        version,
        'diagnosis.excluded',
        {},
        { rationale: 'sepsis without MAS' },
      );
      const ended = await as('dr-adams').request('GET', `/api/episodes/${id}`);
      expect(ended.body).toMatchObject({ final: true, nextDueAt: null });
      const board = await as('dr-adams').request(
        'GET',
        '/api/episodes?pageSize=100&stage=excluded',
      );
      expect(board.status).toBe(200);
      const listed = (
        board.body.items as { id: string; nextDueAt: string | null }[]
      ).find((item) => item.id === id);
      expect(listed).toMatchObject({ nextDueAt: null });
      const refusedBefore = await rejectedAttempts(id);
      for (let step = 0; step < 3; step += 1) {
        suite.harness.clock.advance(12 * HOUR);
        await suite.harness.service.episodes.tickDue();
      }
      expect(await rejectedAttempts(id)).toBe(refusedBefore);
      expect((await stored(id)).version).toBe(version + 1);
    },
  );

  maybe(
    'a physiologically impossible lab value is a 400 naming the field and the bound; nothing written',
    async () => {
      const { id } = await openEpisode();
      const before = await stored(id);
      const cases: [string, object, string, RegExp][] = [
        [
          'labs.recorded',
          { platelets: { value: 6000, unit: '10*9/L' } },
          'body.payload.panel.platelets.value',
          /outside the plausible range 0-5000 10\*9\/L: above the maximum 5000 10\*9\/L/,
        ],
        [
          'labs.recorded',
          { ferritin: { value: -1, unit: 'ng/mL' } },
          'body.payload.panel.ferritin.value',
          /must not be negative/,
        ],
        [
          'reassessment.recorded',
          { ...florid, fibrinogen: { value: 30, unit: 'g/L' } },
          'body.payload.panel.fibrinogen.value',
          /above the maximum 20 g\/L/,
        ],
      ];
      for (const [type, panel, field, bound] of cases) {
        const result = await send('dr-adams', id, 0, type, labs(panel, now()));
        expect({ field, status: result.status }).toEqual({
          field,
          status: 400,
        });
        expect(result.body.field).toBe(field);
        expect(result.body.rule).toMatch(bound);
      }
      expect(await stored(id)).toEqual(before);
      expect(await rejectedAttempts(id)).toBe(0);
    },
  );

  maybe(
    'an unusual lab value (a likely unit slip) is a 422 naming it until the recorder confirms it',
    async () => {
      const { id } = await openEpisode();
      const before = await stored(id);
      // 110 /uL for 110 x10^9/L: plausible, but 0.11 x10^9/L.
      const slip = { ...florid, platelets: { value: 110, unit: '/uL' } };
      const unconfirmed = await send(
        'dr-adams',
        id,
        0,
        'labs.recorded',
        labs(slip, now()),
      );
      expect(unconfirmed.status).toBe(422);
      expect(unconfirmed.body).toMatchObject({
        type: 'labs.recorded',
        unusualFields: ['platelets'],
        message: expect.stringMatching(
          /Platelets 110 \/uL .*is below the usual range 1-1500 10\*9\/L/,
        ),
      });
      expect(unconfirmed.body.confirmationWouldAllow).toBeUndefined();
      // Confirming another field does not confirm this one.
      const wrong = await send(
        'dr-adams',
        id,
        0,
        'labs.recorded',
        labs(slip, now(), { confirmUnusual: ['ferritin'] }),
      );
      expect(wrong.status).toBe(422);
      expect(wrong.body.unusualFields).toEqual(['platelets']);
      expect(await stored(id)).toEqual(before);
      // Refused by the machine: recorded apart, not in the audit.
      expect(await rejectedAttempts(id)).toBe(2);

      const confirmed = await send(
        'dr-adams',
        id,
        0,
        'labs.recorded',
        labs(slip, now(), { confirmUnusual: ['platelets'] }),
      );
      expect(confirmed.status).toBe(201);
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}/audit`,
      );
      expect(audit.body).toHaveLength(1);
      expect(audit.body[0].payload).toMatchObject({
        panel: { platelets: { value: 110, unit: '/uL' } },
        confirmUnusual: ['platelets'],
      });
    },
  );

  maybe(
    'a dose outside the soft limits is a 422 the prescriber may confirm; the audit keeps the dose as given and who confirmed why',
    async () => {
      const { id } = await openEpisode();
      const before = await stored(id);
      // Amira, 24 kg: 15-30 mg/kg is 360-720 mg per infusion.
      const above = await send(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy('methylprednisolone', now(), {
          dose: { value: 1000, unit: 'mg' },
        }),
      );
      expect(above.status).toBe(422);
      expect(above.body).toMatchObject({
        type: 'therapy.started',
        confirmationWouldAllow: true,
        evidence: expect.arrayContaining(['seed.initial.1']),
      });
      expect(above.body.message).toMatch(
        /^outside the dose range, confirm with a reason \(doseConfirmation\): methylprednisolone 1000 mg is above the soft limit of 720 mg per infusion/,
      );
      const below = await send(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy('methylprednisolone', now(), {
          dose: { value: 300, unit: 'mg' },
        }),
      );
      expect(below.status).toBe(422);
      expect(below.body.confirmationWouldAllow).toBe(true);
      expect(below.body.message).toMatch(
        /methylprednisolone 300 mg is below the soft limit of 360 mg per infusion/,
      );
      expect(await stored(id)).toEqual(before);

      // Confirmed, with the dose as given: 1 g (not rewritten as 1000 mg).
      const reason = 'rounded up to the 1 g vial, agreed with pharmacy';
      const confirmed = await send(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy('methylprednisolone', now(), {
          dose: { value: 1, unit: 'g' },
          doseConfirmation: reason,
        }),
      );
      expect(confirmed.status).toBe(201);
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}/audit`,
      );
      expect(audit.body).toHaveLength(1);
      expect(audit.body[0]).toMatchObject({
        type: 'therapy.started',
        actorId: 'dr-adams',
        payload: {
          drug: 'methylprednisolone',
          dose: { value: 1, unit: 'g' },
          route: 'iv',
          schedule: { kind: 'pulse', day: 1, of: 3 },
          doseConfirmation: reason,
        },
      });
      const episode = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      expect(episode.body.context.therapies[0]).toMatchObject({
        dose: { value: 1, unit: 'g' },
        doseCheck: {
          tier: 'soft',
          confirmedBy: { id: 'dr-adams' },
          confirmation: reason,
        },
      });
      // The audit says the dose was outside the range, and who confirmed why.
      expect(audit.body[0].guard).toEqual({
        outcome: 'allowed',
        reason: expect.stringContaining(
          `outside the dose range, confirmed by dr-adams: ${reason}`,
        ),
      });
    },
  );

  maybe(
    'a running course changes dose over HTTP: a soft limit asks to confirm (422, nothing stored), confirmed it is one record with its earlier dose; a pulse recorded twice must be stopped by name',
    async () => {
      const { id } = await openEpisode();
      let version = await accepted(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy('methylprednisolone', now(), {
          dose: { value: 600, unit: 'mg' },
        }),
      );
      const first = now();
      suite.harness.clock.advance(2 * HOUR);
      // The same pulse again: taken (a glucocorticoid never waits), said.
      const again = await send(
        'dr-adams',
        id,
        version,
        'therapy.started',
        therapy('methylprednisolone', now(), {
          dose: { value: 600, unit: 'mg' },
        }),
      );
      expect(again.status).toBe(201);
      expect(again.body.warnings).toContainEqual(
        expect.stringMatching(
          /^methylprednisolone is already running \(started .* at 600 mg\): if this is the same course, stop the duplicate record$/,
        ),
      );
      version = again.body.version as number;
      const second = now();
      // A change over 720 mg (30 mg/kg for 24 kg) needs a confirmation.
      const change = {
        drug: 'methylprednisolone',
        startedAt: first,
        dose: { value: 900, unit: 'mg' },
        route: 'iv',
        schedule: { kind: 'daily' },
        givenAt: now(),
      };
      const before = await stored(id);
      const asked = await send(
        'dr-adams',
        id,
        version,
        'therapy.dose-changed',
        change,
      );
      expect(asked.status).toBe(422);
      expect(asked.body).toMatchObject({
        type: 'therapy.dose-changed',
        confirmationWouldAllow: true,
      });
      expect(await stored(id)).toEqual(before);
      version = await accepted(
        'dr-adams',
        id,
        version,
        'therapy.dose-changed',
        { ...change, doseConfirmation: 'worsening on the first pulse' },
      );
      // An unnamed stop of a drug running twice: refused, naming both.
      const unnamed = await send('dr-adams', id, version, 'therapy.stopped', {
        drug: 'methylprednisolone',
      });
      expect(unnamed.status).toBe(422);
      expect(unnamed.body.message).toContain('methylprednisolone runs 2 times');
      // The field to fill in, named as every refusal about a field does.
      expect(unnamed.body.field).toBe('body.payload.startedAt');
      // An auditor reads the attempt: what was tried, by whom, why refused.
      const refusals = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${id}/refusals`,
      );
      expect(refusals.status).toBe(200);
      const tried = refusals.body as {
        seq: number | null;
        type: string;
        actor: { id: string; role: string };
        reason: string;
        payload: unknown;
      }[];
      expect(tried.at(-1)).toMatchObject({
        type: 'therapy.stopped',
        actor: { id: 'dr-adams', role: 'clinician' },
        reason: expect.stringContaining('methylprednisolone runs 2 times'),
        payload: { drug: 'methylprednisolone' },
      });
      // Oldest first, in the order of their chain.
      const seqs = tried.map((r) => r.seq ?? 0);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(
        (
          await as('auditor-ames').request(
            'GET',
            '/api/episodes/00000000-0000-4000-8000-000000000000/refusals',
          )
        ).status,
      ).toBe(404);
      version = await accepted('dr-adams', id, version, 'therapy.stopped', {
        drug: 'methylprednisolone',
        startedAt: second,
      });
      const episode = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      const records = episode.body.context.therapies as {
        startedAt: string;
        stoppedAt?: string;
        dose: { value: number };
        doseChanges?: { previous: { dose: { value: number } } }[];
      }[];
      expect(
        records.map((r) => [r.dose.value, r.stoppedAt === undefined]),
      ).toEqual([
        [900, true],
        [600, false],
      ]);
      expect(records[0]?.doseChanges?.[0]?.previous.dose.value).toBe(600);
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}/audit`,
      );
      const changed = (
        audit.body as { type: string; guard: { reason: string } }[]
      ).find((e) => e.type === 'therapy.dose-changed');
      expect(changed?.guard.reason).toContain(
        'methylprednisolone dose changed from 600 mg to 900 mg; outside the dose range, confirmed by dr-adams: worsening on the first pulse',
      );
    },
  );

  maybe(
    'a tenfold dose is refused whatever the confirmation: 422 hard dose limit, never confirmable',
    async () => {
      const { id } = await openEpisode();
      const before = await stored(id);
      for (const dose of [
        { value: 7200, unit: 'mg' },
        { value: 7.2, unit: 'g' },
        { value: 7_200_000, unit: 'ug' },
      ]) {
        const result = await send(
          'dr-baker',
          id,
          0,
          'therapy.started',
          therapy('methylprednisolone', now(), {
            dose,
            doseConfirmation: 'I am sure',
          }),
        );
        expect(result.status).toBe(422);
        expect(result.body.message).toMatch(
          /^hard dose limit: methylprednisolone 7200 mg is above the hard limit of 2160 mg per infusion \(3 x the upper soft limit of 720 mg; institution hard-limit factor\)/,
        );
        expect(result.body.type).toBe('therapy.started');
        expect(result.body.confirmationWouldAllow).toBeUndefined();
      }
      expect(await stored(id)).toEqual(before);
    },
  );

  maybe(
    'a heavy patient at the protocol maximum of 1 g per infusion is within the limits, unconfirmed',
    async () => {
      // Dario, 78 kg: 15 mg/kg would be 1170 mg, lowered to the 1 g maximum.
      const { id } = await openEpisode(dario);
      const result = await send(
        'dr-adams',
        id,
        0,
        'therapy.started',
        therapy(
          'methylprednisolone',
          now(),
          { dose: { value: 1, unit: 'g' } },
          dario,
        ),
      );
      expect(result.status).toBe(201);
      const episode = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}`,
      );
      expect(episode.body.context.therapies[0].doseCheck).toMatchObject({
        tier: 'within',
        messages: [],
      });
      expect(
        episode.body.context.therapies[0].doseCheck.confirmedBy,
      ).toBeUndefined();
    },
  );

  maybe(
    'idempotent retries are unaffected: an accepted record and a refused dose each answer as first, and write once',
    async () => {
      const { id } = await openEpisode();
      const post = (body: unknown, key: string) =>
        as('dr-adams').request('POST', `/api/episodes/${id}/events`, body, {
          'idempotency-key': `${key}-${id}`,
        });
      const soft = {
        type: 'therapy.started',
        payload: therapy('methylprednisolone', now(), {
          dose: { value: 1000, unit: 'mg' },
        }),
        expectedVersion: 0,
      };
      const refused = await post(soft, 'soft');
      expect(refused.status).toBe(422);
      suite.harness.clock.advance(10 * MINUTE);
      expect(await post(soft, 'soft')).toEqual(refused);
      expect(await rejectedAttempts(id)).toBe(1);

      const complete = {
        type: 'therapy.started',
        payload: therapy('methylprednisolone', now()),
        expectedVersion: 0,
      };
      const first = await post(complete, 'pulse');
      expect(first.status).toBe(201);
      // Retried later, past the time limits' skew: the first answer still.
      suite.harness.clock.advance(10 * MINUTE);
      const again = await post(complete, 'pulse');
      expect(again).toEqual(first);
      const audit = await as('dr-adams').request(
        'GET',
        `/api/episodes/${id}/audit`,
      );
      expect(audit.body).toHaveLength(1);
    },
  );

  maybe(
    'a therapy outside the protocol table is recorded with its code and stopped by its record id; a protocol drug under another name is refused',
    async () => {
      const { id } = await openEpisode();
      const prednisolone = {
        recordId: 'pred-1',
        medication: {
          system: 'http://www.whocc.no/atc',
          code: 'H02AB06',
          display: 'prednisolone',
        },
        dose: { value: 40, unit: 'mg' },
        route: 'oral',
        schedule: { kind: 'daily' },
        givenAt: now(),
      };
      let version = await accepted(
        'dr-adams',
        id,
        0,
        'other-therapy.started',
        prednisolone,
      );
      const disguised = await send(
        'dr-adams',
        id,
        version,
        'other-therapy.started',
        {
          ...prednisolone,
          recordId: 'mp-1',
          medication: {
            system: 'http://www.whocc.no/atc',
            code: 'H02AB04',
            display: 'Solu-Medrol',
          },
          dose: { value: 720, unit: 'mg' },
          route: 'iv',
        },
      );
      expect(disguised.status).toBe(422);
      expect(disguised.body.message).toMatch(/record it as therapy\.started/);
      const twice = await send(
        'dr-adams',
        id,
        version,
        'other-therapy.started',
        prednisolone,
      );
      expect(twice.status).toBe(422);
      expect(twice.body.message).toMatch(/pred-1 is already used/);
      let episode = await as('dr-adams').request('GET', `/api/episodes/${id}`);
      expect(episode.body.context.otherTherapies).toEqual([
        expect.objectContaining({
          recordId: 'pred-1',
          medication: prednisolone.medication,
          dose: { value: 40, unit: 'mg' },
          startedAt: prednisolone.givenAt,
          glucocorticoidTaper: true,
        }),
      ]);

      suite.harness.clock.advance(HOUR);
      version = await accepted(
        'dr-adams',
        id,
        version,
        'other-therapy.stopped',
        {
          recordId: 'pred-1',
        },
      );
      episode = await as('dr-adams').request('GET', `/api/episodes/${id}`);
      expect(episode.body.context.otherTherapies[0].stoppedAt).toBe(now());
      const again = await send(
        'dr-adams',
        id,
        version,
        'other-therapy.stopped',
        {
          recordId: 'pred-1',
        },
      );
      expect(again.status).toBe(422);
    },
  );

  maybe(
    'an inadequate response judged on clinical grounds is a senior’s, with the reason',
    async () => {
      const { id } = await openEpisode();
      let version = await accepted(
        'dr-adams',
        id,
        0,
        'labs.recorded',
        labs(florid, now()),
      );
      version = await accepted(
        'dr-adams',
        id,
        version,
        'therapy.started',
        therapy('methylprednisolone', now()),
      );
      suite.harness.clock.advance(12 * HOUR);
      const judged = labs(florid, now(), { clinicalJudgement: 'inadequate' });
      const byClinician = await send(
        'dr-adams',
        id,
        version,
        'reassessment.recorded',
        judged,
        { rationale: 'still febrile, more unwell' },
      );
      expect(byClinician.status).toBe(422);
      expect(byClinician.body.message).toMatch(/by a senior clinician/);
      const unexplained = await send(
        'dr-baker',
        id,
        version,
        'reassessment.recorded',
        judged,
      );
      expect(unexplained.status).toBe(422);
      expect(unexplained.body.message).toMatch(/states its reason/);
      const reason = 'still febrile, more unwell, new hepatomegaly';
      const bySenior = await send(
        'dr-baker',
        id,
        version,
        'reassessment.recorded',
        judged,
        { rationale: reason },
      );
      expect(bySenior.status).toBe(201);
      expect(bySenior.body.lastResponse).toMatchObject({
        verdict: 'inadequate',
        clinicalJudgement: { by: { id: 'dr-baker' }, rationale: reason },
      });
      // The laboratory rule alone calls it too early at 12 h.
      expect(bySenior.body.lastResponse.reasons).toContain(
        'the laboratory verdict was too-early',
      );
    },
  );
});
