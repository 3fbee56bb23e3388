/**
 * "Entered in error" over real HTTP on both ENGINES: a clinician marks an
 * audited event recorded by mistake (FHIR `entered-in-error`). Nothing is
 * deleted: a void entry of its own is chained (who, when, why), the episode
 * becomes its history replayed without the entry, the state at a time
 * before the void is the record as it stood then; the chain and the replay
 * still verify, and a forged void breaks the chain. Refusals, nothing
 * written: a later entry resting on the one voided (named), voided twice,
 * a void itself, the service's own entries, a role that records no events,
 * no rationale, a stale version.
 */
import { describe, expect } from '@jest/globals';

import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  ENGINES,
  postgresRequirement,
  runCli,
  signedInSuite,
} from './api-harness.js';
import { labs, therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();
const florid = panelOf(floridMas, febrileSjia);
const users: [string, 'clinician' | 'senior' | 'auditor'][] = [
  ['dr-adams', 'clinician'],
  ['dr-baker', 'senior'],
  ['dr-chen', 'senior'],
  ['dr-dean', 'senior'],
  ['auditor-ames', 'auditor'],
];

describe.each(ENGINES)('entered in error on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, users);
  const { maybe, as } = suite;
  const now = () => suite.harness.clock.now().toISOString();

  async function open(identifier: string) {
    const opened = await as('dr-adams').request('POST', '/api/episodes', {
      patient: { ...amira, identifier },
    });
    expect(opened.status).toBe(201);
    return opened.body as { id: string; version: number; stage: string };
  }

  async function record(
    id: string,
    version: number,
    type: string,
    payload: unknown,
  ): Promise<number> {
    suite.harness.clock.advance(30 * 60_000);
    const sent = await as('dr-adams').request(
      'POST',
      `/api/episodes/${id}/events`,
      { type, payload, expectedVersion: version },
    );
    expect([sent.status, sent.body]).toEqual([201, expect.anything()]);
    return sent.body.version as number;
  }

  /** A florid MAS on a methylprednisolone pulse, severe and worsening. */
  async function worseningOnSteroids(identifier: string) {
    const { id } = await open(identifier);
    let version = await record(id, 0, 'labs.recorded', labs(florid, now()));
    version = await record(
      id,
      version,
      'therapy.started',
      therapy('methylprednisolone', now()),
    );
    version = await record(id, version, 'severity.assessed', {
      severe: true,
      rapidlyWorsening: true,
    });
    return { id, version };
  }

  function markInError(
    user: string,
    id: string,
    body: Record<string, unknown>,
    headers?: Record<string, string>,
  ) {
    return as(user).request(
      'POST',
      `/api/episodes/${id}/entered-in-error`,
      body,
      headers,
    );
  }

  const episode = (id: string) =>
    as('dr-adams').request('GET', `/api/episodes/${id}`);

  maybe(
    "a panel entered in error: the episode's screening goes back, the audit keeps both entries, the state before the void is the record then, the replay verifies",
    async () => {
      const { id, stage: openedStage } = await open('SYN-EIE-1');
      const screening = (body: {
        value: unknown;
        tags: string[];
        alerts: { id: string }[];
        context: { criteriaMetAt: string | null };
      }) => ({
        value: body.value,
        tags: body.tags,
        alerts: body.alerts.map((alert) => alert.id),
        criteriaMetAt: body.context.criteriaMetAt,
      });
      const opened = screening((await episode(id)).body);
      const v1 = await record(id, 0, 'labs.recorded', labs(florid, now()));
      const met = await episode(id);
      expect(met.body.context.criteriaMetAt).not.toBeNull();
      expect(screening(met.body)).not.toEqual(opened);
      const beforeVoid = now();
      suite.harness.clock.advance(60 * 60_000);

      // Refused, nothing written.
      const stale = await markInError('dr-adams', id, {
        seq: 1,
        rationale: "another patient's labs",
        expectedVersion: 0,
      });
      expect(stale.status).toBe(409);
      expect(stale.body.message).toContain('expectedVersion 0 is stale');
      const noRationale = await markInError('dr-adams', id, {
        seq: 1,
        expectedVersion: v1,
      });
      expect(noRationale.status).toBe(400);
      expect(noRationale.body.field).toBe('body.rationale');
      const blank = await markInError('dr-adams', id, {
        seq: 1,
        rationale: '   ',
        expectedVersion: v1,
      });
      expect([blank.status, blank.body.field]).toEqual([400, 'body.rationale']);
      const auditor = await markInError('auditor-ames', id, {
        seq: 1,
        rationale: "another patient's labs",
        expectedVersion: v1,
      });
      expect(auditor.status).toBe(403);
      const missing = await markInError('dr-adams', id, {
        seq: 9,
        rationale: "another patient's labs",
        expectedVersion: v1,
      });
      expect([missing.status, missing.body.field]).toEqual([422, 'body.seq']);
      expect(missing.body.message).toContain('no entry 9');
      expect((await episode(id)).body.version).toBe(v1);

      const voided = await markInError('dr-adams', id, {
        seq: 1,
        rationale: "another patient's labs (wrong label on the tube)",
        expectedVersion: v1,
      });
      expect(voided.status).toBe(201);
      expect(voided.body).toMatchObject({
        version: v1 + 1,
        stage: openedStage,
        enteredInError: { seq: 1, type: 'labs.recorded', voidSeq: 2 },
      });
      const after = await episode(id);
      expect(after.body.context.criteriaMetAt).toBeNull();
      expect(screening(after.body)).toEqual(opened);
      expect(after.body.stage).toBe(openedStage);

      // Twice, or the void itself: refused, named.
      const again = await markInError('dr-adams', id, {
        seq: 1,
        rationale: 'again',
        expectedVersion: v1 + 1,
      });
      expect(again.status).toBe(422);
      expect(again.body.message).toContain(
        'was already marked entered in error by entry 2',
      );
      const ofVoid = await markInError('dr-adams', id, {
        seq: 2,
        rationale: 'undo',
        expectedVersion: v1 + 1,
      });
      expect(ofVoid.status).toBe(422);
      expect(ofVoid.body.message).toContain('entry 2');
      expect(ofVoid.body.message).toContain('is itself a correction');

      const audit = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${id}/audit`,
      );
      expect(audit.status).toBe(200);
      expect(audit.body).toHaveLength(2);
      expect(audit.body[0]).toMatchObject({
        seq: 1,
        type: 'labs.recorded',
        enteredInError: {
          voidSeq: 2,
          actorId: 'dr-adams',
          actorRole: 'clinician',
          rationale: "another patient's labs (wrong label on the tube)",
        },
      });
      expect(audit.body[1]).toMatchObject({
        seq: 2,
        type: 'entry.voided',
        payload: { seq: 1, type: 'labs.recorded' },
        actorId: 'dr-adams',
        rationale: "another patient's labs (wrong label on the tube)",
        enteredInError: null,
      });

      // The state then is the record as it stood then; after, without it.
      const then = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${id}/state?at=${encodeURIComponent(beforeVoid)}`,
      );
      expect(then.status).toBe(200);
      expect(then.body.context.criteriaMetAt).not.toBeNull();
      expect(then.body.replayedEntries).toBe(1);
      const since = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${id}/state?at=${encodeURIComponent(now())}`,
      );
      expect(since.status).toBe(200);
      expect(since.body.context.criteriaMetAt).toBeNull();
      expect(since.body.stage).toBe(openedStage);
      expect(since.body.replayedEntries).toBe(0);

      // The next event builds on the record without it.
      const v3 = await record(id, v1 + 1, 'labs.recorded', labs(florid, now()));
      expect(v3).toBe(v1 + 2);
      expect((await episode(id)).body.context.criteriaMetAt).not.toBeNull();

      const verify = await as('auditor-ames').request(
        'GET',
        '/api/audit/verify?replay=true',
      );
      expect(verify.body).toMatchObject({ ok: true, broken: [] });
      const own = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${id}/audit/verify`,
      );
      expect(own.body).toMatchObject({ ok: true, entries: 3, version: 3 });
      const cli = runCli(suite.harness, ['audit', 'verify', '--replay']);
      expect([cli.status, cli.stderr]).toEqual([0, '']);
      expect(cli.stdout).not.toContain('problem');
    },
  );

  maybe(
    'a start a later stop rests on: refused naming the later entry; the stop first, then the start (one Idempotency-Key, one void)',
    async () => {
      const { id } = await open('SYN-EIE-2');
      let version = await record(id, 0, 'labs.recorded', labs(florid, now()));
      version = await record(id, version, 'diagnosis.confirmed', {
        basis: 'criteria',
      });
      version = await record(
        id,
        version,
        'therapy.started',
        therapy('methylprednisolone', now()),
      );
      version = await record(id, version, 'therapy.stopped', {
        drug: 'methylprednisolone',
      });
      expect(version).toBe(4);

      const start = await markInError('dr-adams', id, {
        seq: 3,
        rationale: 'wrong drug',
        expectedVersion: version,
      });
      expect(start.status).toBe(422);
      expect(start.body).toMatchObject({
        field: 'body.seq',
        dependentSeq: 4,
        dependentType: 'therapy.stopped',
      });
      expect(start.body.message).toContain('entry 4 (Stop methylprednisolone)');
      expect(start.body.message).toContain(start.body.reason);
      expect(start.body.reason.length).toBeGreaterThan(0);
      expect((await episode(id)).body.version).toBe(4);

      // The service's own entries are never voided; a clinician does not
      // void what a senior alone records (none here: a clinician's entry).
      const body = {
        seq: 4,
        rationale: 'stop recorded on the wrong course',
        expectedVersion: 4,
      };
      const first = await markInError('dr-adams', id, body, {
        'idempotency-key': 'void-stop-1',
      });
      expect(first.status).toBe(201);
      const repeat = await markInError('dr-adams', id, body, {
        'idempotency-key': 'void-stop-1',
      });
      expect(repeat.body).toEqual(first.body);
      expect((await episode(id)).body.version).toBe(5);
      const otherBody = await markInError(
        'dr-adams',
        id,
        { ...body, rationale: 'another reason' },
        { 'idempotency-key': 'void-stop-1' },
      );
      expect([otherBody.status, otherBody.body.field]).toEqual([
        422,
        'idempotency-key',
      ]);

      const running = (await episode(id)).body.context.therapies.filter(
        (t: { stoppedAt?: string }) => t.stoppedAt === undefined,
      );
      expect(running.map((t: { drug: string }) => t.drug)).toEqual([
        'methylprednisolone',
      ]);
      const startVoided = await markInError('dr-baker', id, {
        seq: 3,
        rationale: 'wrong drug',
        expectedVersion: 5,
      });
      expect(startVoided.status).toBe(201);
      expect((await episode(id)).body.context.therapies).toEqual([]);

      const own = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${id}/audit/verify`,
      );
      expect(own.body).toMatchObject({ ok: true, entries: 6, version: 6 });
      const all = await as('auditor-ames').request(
        'GET',
        '/api/audit/verify?replay=true',
      );
      expect(all.body).toMatchObject({ ok: true, broken: [] });
    },
  );

  maybe(
    "an escalation request entered in error (by a senior only): its approval item goes with it, and the replay's work items verify",
    async () => {
      const { id, version: worsening } = await worseningOnSteroids('SYN-EIE-4');
      let version = worsening;
      const requested = await as('dr-baker').request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type: 'escalation.requested',
          payload: {
            requestId: 'r1',
            drug: 'etoposide',
            evidence: ['seed.refractory.3'],
          },
          rationale: 'worsening on steroids',
          expectedVersion: version,
        },
      );
      expect(requested.status).toBe(201);
      version = requested.body.version;
      const approvals = async () =>
        (
          await as('dr-baker').request(
            'GET',
            `/api/episodes/${id}/work-items?kind=second-senior-approval&status=all`,
          )
        ).body.total as number;
      expect(await approvals()).toBe(1);

      const byClinician = await markInError('dr-adams', id, {
        seq: version,
        rationale: 'not asked for',
        expectedVersion: version,
      });
      expect(byClinician.status).toBe(403);
      expect(byClinician.body.message).toContain('senior clinician');
      const bySenior = await markInError('dr-baker', id, {
        seq: version,
        rationale: 'requested on the wrong patient',
        expectedVersion: version,
      });
      expect(bySenior.status).toBe(201);
      expect(await approvals()).toBe(0);
      expect((await episode(id)).body.context.escalationRequests).toEqual([]);
      const own = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${id}/audit/verify`,
      );
      expect(own.body).toMatchObject({ ok: true, problems: [] });
    },
  );

  maybe(
    "who corrects whom: a four-eyes decision only by its author (a requester never voids the rejection of their own request to ask another senior), a colleague's record by its author or a senior",
    async () => {
      const { id, version: worsening } = await worseningOnSteroids('SYN-EIE-5');
      let version = worsening;
      const send = async (user: string, type: string, payload: unknown) => {
        const sent = await as(user).request(
          'POST',
          `/api/episodes/${id}/events`,
          { type, payload, rationale: 'four eyes', expectedVersion: version },
        );
        expect([sent.status, sent.body]).toEqual([201, expect.anything()]);
        version = sent.body.version as number;
        return version;
      };
      await send('dr-baker', 'escalation.requested', {
        requestId: 'r1',
        drug: 'etoposide',
        evidence: ['seed.refractory.3'],
      });
      const rejection = await send('dr-chen', 'escalation.rejected', {
        requestId: 'r1',
      });
      const requests = async () =>
        (await episode(id)).body.context.escalationRequests.map(
          (r: { requestId: string; status: string }) => [r.requestId, r.status],
        );
      const rejected = await requests();

      // The requester cannot undo the check of their own request, nor can a
      // third senior undo it for them: nothing is written.
      for (const user of ['dr-baker', 'dr-dean']) {
        const refused = await markInError(user, id, {
          seq: rejection,
          rationale: 'rejected in error',
          expectedVersion: version,
        });
        expect([refused.status, refused.body.field]).toEqual([403, 'body.seq']);
        expect(refused.body.message).toContain(
          "four-eyes record (a request for a second senior's decision, or the decision): only its author, dr-chen, marks it entered in error",
        );
      }
      expect((await episode(id)).body.version).toBe(version);
      expect(await requests()).toEqual(rejected);
      // Its author may (the rejection was recorded on the wrong request).
      const byAuthor = await markInError('dr-chen', id, {
        seq: rejection,
        rationale: 'rejected the wrong request',
        expectedVersion: version,
      });
      expect(byAuthor.status).toBe(201);
      version = byAuthor.body.version as number;
      expect(await requests()).not.toEqual(rejected);

      // A senior's panel is corrected by its author or another senior, not
      // by a clinician; a clinician's by its author or a senior.
      const seniorsPanel = await send(
        'dr-baker',
        'labs.recorded',
        labs(florid, now()),
      );
      const byClinician = await markInError('dr-adams', id, {
        seq: seniorsPanel,
        rationale: 'wrong patient',
        expectedVersion: version,
      });
      expect([byClinician.status, byClinician.body.message]).toEqual([
        403,
        expect.stringContaining(
          'was recorded by dr-baker: its author or a senior clinician marks it entered in error',
        ),
      ]);
      const bySenior = await markInError('dr-dean', id, {
        seq: seniorsPanel,
        rationale: 'wrong patient',
        expectedVersion: version,
      });
      expect(bySenior.status).toBe(201);
    },
  );

  maybe(
    'a forged void (its rationale edited, or one inserted) breaks the chain at its entry',
    async () => {
      const { id } = await open('SYN-EIE-3');
      const v1 = await record(id, 0, 'labs.recorded', labs(florid, now()));
      const voided = await markInError('dr-adams', id, {
        seq: 1,
        rationale: 'wrong patient',
        expectedVersion: v1,
      });
      expect(voided.status).toBe(201);
      await suite.harness.query(
        'UPDATE audit_entries SET rationale = ? WHERE episode_id = ? AND seq = 2',
        ['nobody asked', id],
      );
      const own = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${id}/audit/verify`,
      );
      expect(own.body.ok).toBe(false);
      expect(own.body.broken).toMatchObject({
        seq: 2,
        reason: expect.stringContaining(
          'content does not match its authentication code',
        ),
      });
      // (The episode is left out of the whole audit's verification again.)
      for (const table of [
        'audit_entries',
        'work_items',
        'rejected_attempts',
      ]) {
        await suite.harness.query(`DELETE FROM ${table} WHERE episode_id = ?`, [
          id,
        ]);
      }
      await suite.harness.query('DELETE FROM episodes WHERE id = ?', [id]);
    },
  );
});
