/**
 * Work items over real HTTP, on a real SQLite file and a real PostgreSQL
 * database: the machine's effects (a second senior's approval, a
 * countersignature, alerts) become items in the transaction of the event
 * that asked for them, and close when the event they wait for is accepted.
 */
import { randomUUID } from 'node:crypto';

import { describe, expect, jest } from '@jest/globals';
import fc from 'fast-check';

import { type EpisodeRow, episodeSeal } from '@mas/api';
import { type WorkItem, workItemPageSchema } from '@mas/contracts';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import { ENGINES, postgresRequirement, signedInSuite } from './api-harness.js';
import { labs, therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();

const florid = panelOf(floridMas, febrileSjia);
const HOUR = 3_600_000;

describe.each(ENGINES)('work items on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['dr-baker', 'senior'],
    ['dr-chen', 'senior'],
    ['trainee-tan', 'trainee'],
    ['auditor-ames', 'auditor'],
    ['admin', 'admin'],
  ]);
  const { maybe, as } = suite;

  /** An episode and its version, moved on by `send`. */
  interface Episode {
    readonly id: string;
    version: number;
  }

  async function openEpisode(kind: 'real' | 'training' = 'real') {
    const created = await as(
      kind === 'training' ? 'trainee-tan' : 'dr-adams',
    ).request('POST', '/api/episodes', { patient: amira, kind });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, version: 0 } satisfies Episode;
  }

  /** A payload, or one made at the time of sending (its clinical time). */
  type Payload = object | ((at: string) => object);

  /** Records an event half an hour on; the answer (the version follows). */
  async function send(
    user: string,
    episode: Episode,
    type: string,
    payload: Payload,
    extra: Record<string, unknown> = {},
  ) {
    suite.harness.clock.advance(HOUR / 2);
    const at = suite.harness.clock.now().toISOString();
    const result = await as(user).request(
      'POST',
      `/api/episodes/${episode.id}/events`,
      {
        type,
        payload: typeof payload === 'function' ? payload(at) : payload,
        expectedVersion: episode.version,
        ...extra,
      },
    );
    if (result.status === 201) episode.version = result.body.version;
    return result;
  }

  async function accepted(
    user: string,
    episode: Episode,
    type: string,
    payload: Payload,
    extra: Record<string, unknown> = {},
  ) {
    const result = await send(user, episode, type, payload, extra);
    if (result.status !== 201) {
      throw new Error(
        `${type}: ${String(result.status)} ${JSON.stringify(result.body)}`,
      );
    }
    return result;
  }

  /** Treated with a glucocorticoid, rapidly worsening: escalation is on. */
  async function worseningEpisode(): Promise<Episode> {
    const episode = await openEpisode();
    await accepted('dr-adams', episode, 'labs.recorded', (at) =>
      labs(florid, at),
    );
    await accepted('dr-adams', episode, 'therapy.started', (at) =>
      therapy('methylprednisolone', at),
    );
    await accepted('dr-adams', episode, 'severity.assessed', {
      severe: true,
      rapidlyWorsening: true,
    });
    return episode;
  }

  /** Dr Baker asks for etoposide (request r1): an approval item opens. */
  function requestEtoposide(episode: Episode) {
    return accepted(
      'dr-baker',
      episode,
      'escalation.requested',
      {
        requestId: 'r1',
        drug: 'etoposide',
        evidence: ['seed.refractory.3'],
      },
      { rationale: 'worsening on steroids' },
    );
  }

  /** A list route's page, checked against the contract. */
  async function page(user: string, path: string) {
    const result = await as(user).request('GET', path);
    if (result.status !== 200) {
      throw new Error(
        `GET ${path}: ${String(result.status)} ${JSON.stringify(result.body)}`,
      );
    }
    return workItemPageSchema.parse(result.body);
  }

  const workList = (user: string, query: string) =>
    page(user, `/api/work-items?${query}`);
  const episodeItems = (user: string, episode: Episode, query = '') =>
    page(user, `/api/episodes/${episode.id}/work-items?${query}`);

  async function countRows(episode: Episode): Promise<number> {
    const rows = (await suite.harness.query(
      'SELECT COUNT(*) AS n FROM work_items WHERE episode_id = ?',
      [episode.id],
    )) as { n: number | string }[];
    return Number(rows[0]?.n);
  }

  maybe(
    'escalation.requested opens an approval item for another senior (the requester sees it, not actionable); the approval closes it',
    async () => {
      const episode = await worseningEpisode();
      const requested = await requestEtoposide(episode);
      const requestedAt = suite.harness.clock.now().toISOString();
      expect(requested.body.version).toBe(4);

      const forChen = await workList(
        'dr-chen',
        `kind=second-senior-approval&episodeId=${episode.id}`,
      );
      expect(forChen.total).toBe(1);
      expect(forChen.items[0]).toMatchObject({
        kind: 'second-senior-approval',
        episodeId: episode.id,
        episodeKind: 'real',
        patientIdentifier: amira.identifier,
        status: 'open',
        details: {
          requestId: 'r1',
          drug: 'etoposide',
          requestedBy: 'dr-baker',
          rationale: 'worsening on steroids',
        },
        createdAt: requestedAt,
        recordedAt: requestedAt,
        dueAt: null,
        openedBySeq: 4,
        doneAt: null,
        doneBy: null,
        resolution: null,
        mayAct: { roles: ['senior'], except: 'dr-baker' },
        actionable: true,
      });
      const mine = (await workList('dr-chen', 'actionable=true')).items.map(
        (i) => i.id,
      );
      expect(mine).toContain(forChen.items[0]?.id);

      // Four eyes: the requester sees the item, marked not theirs to act on.
      const forBaker = await workList(
        'dr-baker',
        `kind=second-senior-approval&episodeId=${episode.id}`,
      );
      expect(forBaker.items).toEqual([
        { ...forChen.items[0], actionable: false },
      ]);
      const bakersToDo = await workList(
        'dr-baker',
        `actionable=true&episodeId=${episode.id}`,
      );
      expect(bakersToDo.items.map((i) => i.kind)).not.toContain(
        'second-senior-approval',
      );
      const bakersNotToDo = await workList(
        'dr-baker',
        `actionable=false&episodeId=${episode.id}`,
      );
      expect(bakersNotToDo.items.map((i) => i.id)).toEqual([
        forChen.items[0]?.id,
      ]);

      // Clinicians' work list holds alerts; the episode shows everything.
      const forAdams = await workList('dr-adams', `episodeId=${episode.id}`);
      expect(new Set(forAdams.items.map((i) => i.kind))).toEqual(
        new Set(['alert']),
      );
      expect(forAdams.items).toContainEqual(
        expect.objectContaining({
          details: expect.objectContaining({
            alertId: 'escalation-indicated',
            severity: 'critical',
          }),
          actionable: true,
        }),
      );
      // Asked by name, the approvals waiting on their patients are shown to
      // clinicians too (the board flags them), to read, not to give.
      const asked = await as('dr-adams').request(
        'GET',
        `/api/work-items?kind=second-senior-approval&episodeId=${episode.id}`,
      );
      expect(asked.status).toBe(200);
      expect(asked.body.items).toEqual([
        expect.objectContaining({
          id: forChen.items[0]?.id,
          kind: 'second-senior-approval',
          actionable: false,
        }),
      ]);
      const onEpisode = await episodeItems('dr-adams', episode);
      expect(onEpisode.total).toBe(forAdams.total + 1);
      expect(onEpisode.items.at(-1)).toMatchObject({
        id: forChen.items[0]?.id,
        actionable: false,
      });

      // The requester's own approval is refused: the item stays open.
      const own = await send(
        'dr-baker',
        episode,
        'escalation.approved',
        { requestId: 'r1' },
        { rationale: 'I agree with myself' },
      );
      expect(own.status).toBe(422);
      expect(
        (await episodeItems('dr-chen', episode, 'kind=second-senior-approval'))
          .items[0]?.status,
      ).toBe('open');

      await accepted(
        'dr-chen',
        episode,
        'escalation.approved',
        { requestId: 'r1' },
        { rationale: 'agreed' },
      );
      const approvedAt = suite.harness.clock.now().toISOString();
      const open = await workList(
        'dr-chen',
        `kind=second-senior-approval&episodeId=${episode.id}`,
      );
      expect(open.total).toBe(0);
      const done = await workList(
        'dr-chen',
        `kind=second-senior-approval&status=done&episodeId=${episode.id}`,
      );
      expect(done.items).toEqual([
        expect.objectContaining({
          id: forChen.items[0]?.id,
          status: 'done',
          doneAt: approvedAt,
          doneBy: 'dr-chen',
          resolution: 'approved',
          closedBySeq: 5,
          mayAct: null,
          actionable: false,
        }),
      ]);
    },
  );

  maybe(
    'a rejection closes the approval item too (request ids of any length)',
    async () => {
      const episode = await worseningEpisode();
      const requestId = `r2-${'x'.repeat(300)}`;
      await accepted(
        'dr-baker',
        episode,
        'escalation.requested',
        { requestId, drug: 'etoposide', evidence: ['seed.refractory.3'] },
        { rationale: 'worsening on steroids' },
      );
      await accepted(
        'dr-chen',
        episode,
        'escalation.rejected',
        { requestId },
        { rationale: 'give anakinra first' },
      );
      const items = await episodeItems(
        'dr-baker',
        episode,
        'kind=second-senior-approval&status=all',
      );
      expect(items.items).toEqual([
        expect.objectContaining({
          details: expect.objectContaining({ requestId }),
          status: 'done',
          doneBy: 'dr-chen',
          resolution: 'rejected',
        }),
      ]);
    },
  );

  maybe(
    'an emergency start opens a countersignature item with its due time; the countersignature closes it',
    async () => {
      const episode = await worseningEpisode();
      await accepted(
        'dr-baker',
        episode,
        'therapy.started',
        (at) => therapy('ruxolitinib', at, { emergency: true }),
        { rationale: 'no time to wait: worsening fast' },
      );
      const startedAt = suite.harness.clock.now().toISOString();
      const detail = await as('dr-chen').request(
        'GET',
        `/api/episodes/${episode.id}`,
      );
      const due = detail.body.context.dues['countersignature:ruxolitinib-1']
        .dueAt as string;
      expect(Date.parse(due)).toBeGreaterThan(Date.parse(startedAt));

      const forChen = await workList(
        'dr-chen',
        `kind=countersignature&episodeId=${episode.id}`,
      );
      expect(forChen.items).toEqual([
        expect.objectContaining({
          kind: 'countersignature',
          status: 'open',
          details: {
            emergencyStartId: 'ruxolitinib-1',
            drug: 'ruxolitinib',
            startedBy: 'dr-baker',
            rationale: 'no time to wait: worsening fast',
          },
          createdAt: startedAt,
          dueAt: due,
          mayAct: { roles: ['senior'], except: 'dr-baker' },
          actionable: true,
        }),
      ]);
      const forBaker = await workList(
        'dr-baker',
        `kind=countersignature&episodeId=${episode.id}`,
      );
      expect(forBaker.items[0]?.actionable).toBe(false);

      const own = await send('dr-baker', episode, 'escalation.countersigned', {
        drug: 'ruxolitinib',
      });
      expect(own.status).toBe(422);
      expect(
        (await episodeItems('dr-chen', episode, 'kind=countersignature')).total,
      ).toBe(1);

      await accepted('dr-chen', episode, 'escalation.countersigned', {
        drug: 'ruxolitinib',
      });
      const items = await episodeItems(
        'dr-chen',
        episode,
        'kind=countersignature&status=all',
      );
      expect(items.items).toEqual([
        expect.objectContaining({
          status: 'done',
          doneBy: 'dr-chen',
          doneAt: suite.harness.clock.now().toISOString(),
          resolution: 'countersigned',
        }),
      ]);
    },
  );

  maybe(
    "alerts are recorded as they are raised (the scheduler's too) and close when they clear",
    async () => {
      const episode = await openEpisode();
      await accepted('dr-adams', episode, 'labs.recorded', (at) =>
        labs(florid, at),
      );
      expect(await countRows(episode)).toBe(0);
      // No glucocorticoid 7 h after suspicion: the scheduler's tick raises it.
      suite.harness.clock.advance(7 * HOUR);
      const tickedAt = suite.harness.clock.now().toISOString();
      await suite.harness.service.episodes.tickDue();
      const raised = await workList(
        'dr-adams',
        `kind=alert&episodeId=${episode.id}`,
      );
      const delayed = raised.items.find(
        (i) =>
          i.kind === 'alert' && i.details.alertId === 'glucocorticoid-delayed',
      );
      expect(delayed).toMatchObject({
        status: 'open',
        createdAt: tickedAt,
        openedBySeq: 2,
        details: { severity: 'critical', since: tickedAt },
        mayAct: { roles: ['clinician', 'senior'], except: null },
        actionable: true,
      });
      expect(delayed?.kind === 'alert' && delayed.details.message).toMatch(
        /glucocorticoid/i,
      );

      const detail = await as('dr-adams').request(
        'GET',
        `/api/episodes/${episode.id}`,
      );
      episode.version = detail.body.version;
      await accepted('dr-adams', episode, 'therapy.started', (at) =>
        therapy('methylprednisolone', at),
      );
      const after = await episodeItems('dr-adams', episode, 'status=all');
      const byAlert = (items: WorkItem[], id: string) =>
        items.find((i) => i.kind === 'alert' && i.details.alertId === id);
      expect(byAlert(after.items, 'glucocorticoid-delayed')).toMatchObject({
        status: 'done',
        doneBy: 'dr-adams',
        resolution: 'cleared',
        closedBySeq: 3,
      });
      // Every other alert still standing on the episode is still open.
      const standing = (detail.body.alerts as { id: string }[])
        .map((a) => a.id)
        .filter((id) => id !== 'glucocorticoid-delayed');
      for (const id of standing) {
        expect(byAlert(after.items, id)?.status).toBe('open');
      }
    },
  );

  maybe(
    'an alert that stands but says something else (another weight, graver) is said anew on the work list, never in its old words; the old item closed as superseded; the episode still verifies',
    async () => {
      const episode = await openEpisode();
      await accepted('dr-adams', episode, 'labs.recorded', (at) =>
        labs(florid, at),
      );
      // 900 mg for 24 kg: above the 720 mg soft limit, confirmed.
      await accepted('dr-adams', episode, 'therapy.started', (at) =>
        therapy('methylprednisolone', at, {
          dose: { value: 900, unit: 'mg' },
          doseConfirmation: 'pharmacy agreed',
        }),
      );
      const weighed = (weightKg: number) =>
        accepted('dr-adams', episode, 'measures.recorded', {
          weightKg,
          confirmUnusual: ['weightKg'],
        });
      const doseItems = async (status: string) =>
        (await episodeItems('dr-adams', episode, `status=${status}`)).items
          .flatMap((item) =>
            item.kind === 'alert' &&
            item.details.alertId === 'dose-outside-limits-now'
              ? [item]
              : [],
          )
          .map((item) => ({
            status: item.status,
            resolution: item.resolution,
            severity: item.details.severity,
            weight: /current weight of ([\d.]+) kg/.exec(
              item.details.message,
            )?.[1],
          }));
      await weighed(16);
      expect(await doseItems('open')).toEqual([
        { status: 'open', resolution: null, severity: 'warning', weight: '16' },
      ]);
      await weighed(12);
      expect(await doseItems('open')).toEqual([
        { status: 'open', resolution: null, severity: 'warning', weight: '12' },
      ]);
      // 5 kg: past the hard limit.
      await weighed(5);
      expect(await doseItems('open')).toEqual([
        { status: 'open', resolution: null, severity: 'critical', weight: '5' },
      ]);
      expect(
        (await doseItems('done')).map((item) => [item.resolution, item.weight]),
      ).toEqual(
        expect.arrayContaining([
          ['superseded', '16'],
          ['superseded', '12'],
        ]),
      );
      const verified = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${episode.id}/audit/verify`,
      );
      expect(verified.body).toMatchObject({ ok: true, problems: [] });
    },
  );

  maybe(
    "an earlier statechart's record: a pending approval deleted before the takeover is named before it, and for good after it (the clinical write still goes on)",
    async () => {
      const episode = await worseningEpisode();
      await requestEtoposide(episode);
      const repository = suite.harness.service.dataSource.getRepository<
        EpisodeRow & { seal: string | null; replayBase?: string | null }
      >('Episode');
      const current = (await repository.findOneByOrFail({ id: episode.id }))
        .machineVersion;
      // As an earlier statechart left it, sealed as that version did.
      const [head] = (await suite.harness.query(
        'SELECT hash FROM audit_entries WHERE episode_id = ? ORDER BY seq DESC',
        [episode.id],
      )) as { hash: string }[];
      const row = await repository.findOneByOrFail({ id: episode.id });
      const older = { ...row, machineVersion: '0.9.0' };
      await repository.update(
        { id: episode.id },
        {
          machineVersion: older.machineVersion,
          seal: episodeSeal(
            suite.harness.keys.audit,
            older,
            head?.hash ?? null,
          ),
        },
      );
      const reasons = async () =>
        (
          (
            await as('auditor-ames').request(
              'GET',
              `/api/episodes/${episode.id}/audit/verify`,
            )
          ).body as { problems: { reason: string }[] }
        ).problems.map((p) => p.reason);
      expect(await reasons()).toEqual([]);
      // The approval deleted while the earlier statechart holds the record.
      await suite.harness.query(
        "DELETE FROM work_items WHERE kind = 'second-senior-approval' AND episode_id = ? AND subject = 'r1'",
        [episode.id],
      );
      expect(await reasons()).toEqual([
        "the pending escalation request r1 (etoposide) has no open second-senior approval (deleted or closed outside the service, or made before work items were kept); the record is statechart 0.9.0's, not yet taken over by " +
          current,
      ]);
      // The next event is recorded (a clinical write is never held up),
      // and the takeover seals what it found with the base.
      await accepted('dr-adams', episode, 'labs.recorded', (at) =>
        labs(florid, at),
      );
      const taken = await repository.findOneByOrFail({ id: episode.id });
      expect(taken.machineVersion).toBe(current);
      expect(await reasons()).toEqual([
        'at the takeover after entry 4: the pending escalation request r1 (etoposide) has no open second-senior approval (deleted or closed outside the service, or made before work items were kept)',
      ]);
      // Removing the finding from the base breaks the seal instead.
      const base = JSON.parse(taken.replayBase ?? '{}') as Record<
        string,
        unknown
      >;
      delete base['workItemsProblem'];
      await repository.update(
        { id: episode.id },
        { replayBase: JSON.stringify(base) },
      );
      expect(await reasons()).toEqual(
        expect.arrayContaining([
          expect.stringContaining('does not match its seal'),
        ]),
      );
    },
  );

  maybe(
    "an earlier statechart's record: an approval added for no pending request is named",
    async () => {
      const episode = await worseningEpisode();
      await requestEtoposide(episode);
      const repository = suite.harness.service.dataSource.getRepository<
        EpisodeRow & { seal: string | null }
      >('Episode');
      const [head] = (await suite.harness.query(
        'SELECT hash FROM audit_entries WHERE episode_id = ? ORDER BY seq DESC',
        [episode.id],
      )) as { hash: string }[];
      const row = await repository.findOneByOrFail({ id: episode.id });
      await repository.update(
        { id: episode.id },
        {
          machineVersion: '0.9.0',
          seal: episodeSeal(
            suite.harness.keys.audit,
            { ...row, machineVersion: '0.9.0' },
            head?.hash ?? null,
          ),
        },
      );
      const [kept] = (await suite.harness.query(
        "SELECT * FROM work_items WHERE kind = 'second-senior-approval' AND episode_id = ? AND subject = 'r1'",
        [episode.id],
      )) as Record<string, unknown>[];
      const columns = Object.keys(kept ?? {});
      await suite.harness.query(
        `INSERT INTO work_items (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        columns.map((column) =>
          column === 'id'
            ? randomUUID()
            : column === 'subject'
              ? 'r9'
              : kept?.[column],
        ),
      );
      const verified = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${episode.id}/audit/verify`,
      );
      expect(
        (verified.body as { problems: { reason: string }[] }).problems.map(
          (p) => p.reason,
        ),
      ).toEqual([
        expect.stringMatching(
          /^the work item second-senior-approval about r9 is open, but the stored record does not call for it \(added or reopened outside the service\); the record is statechart 0\.9\.0's/,
        ),
      ]);
    },
  );

  maybe(
    "the episode's verification replays its work items: a pending approval deleted, closed or added outside the service is named",
    async () => {
      const episode = await worseningEpisode();
      await requestEtoposide(episode);
      const verify = async () =>
        (
          await as('auditor-ames').request(
            'GET',
            `/api/episodes/${episode.id}/audit/verify`,
          )
        ).body as { ok: boolean; problems: { reason: string }[] };
      expect(await verify()).toMatchObject({ ok: true, problems: [] });
      const approval =
        "kind = 'second-senior-approval' AND episode_id = ? AND subject = 'r1'";
      // Closed outside the service: the item no longer asks anyone.
      await suite.harness.query(
        `UPDATE work_items SET status = 'done' WHERE ${approval}`,
        [episode.id],
      );
      expect((await verify()).problems.map((p) => p.reason)).toEqual([
        expect.stringMatching(
          /^the work item second-senior-approval about r1 opened at entry 4 is done at entry null .*but the audit has it open \(changed outside the service\)$/,
        ),
      ]);
      await suite.harness.query(
        `UPDATE work_items SET status = 'open' WHERE ${approval}`,
        [episode.id],
      );
      expect((await verify()).ok).toBe(true);
      // Deleted: nobody would see the request.
      const [kept] = (await suite.harness.query(
        `SELECT * FROM work_items WHERE ${approval}`,
        [episode.id],
      )) as Record<string, unknown>[];
      await suite.harness.query(`DELETE FROM work_items WHERE ${approval}`, [
        episode.id,
      ]);
      expect((await verify()).problems.map((p) => p.reason)).toEqual([
        'the work item second-senior-approval about r1 opened at entry 4 is missing (deleted outside the service)',
      ]);
      // Put back, and one more added beside it: not one the audit implies.
      const columns = Object.keys(kept ?? {});
      const insert = (row: Record<string, unknown>) =>
        suite.harness.query(
          `INSERT INTO work_items (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
          columns.map((column) => row[column]),
        );
      await insert(kept ?? {});
      expect((await verify()).ok).toBe(true);
      const extra = randomUUID();
      await insert({ ...kept, id: extra, subject: 'r9' });
      expect((await verify()).problems.map((p) => p.reason)).toEqual([
        'the work item second-senior-approval about r9 opened at entry 4 is not one the audit implies (added outside the service)',
      ]);
      await suite.harness.query(`DELETE FROM work_items WHERE id = ?`, [extra]);
      expect((await verify()).ok).toBe(true);
      // Every column the work list reads: moved to another patient or to
      // the training list, due years later, asked by someone else, saying
      // something else. Each is named, then put back.
      const changes: [string, unknown, RegExp][] = [
        [
          'episode_kind',
          'training',
          /has its episode kind training where the audit has real/,
        ],
        [
          'patient_identifier',
          'SYN-SOMEONE-ELSE',
          /has its patient SYN-SOMEONE-ELSE where the audit has/,
        ],
        [
          'due_at',
          engine === 'sqlite'
            ? '2030-01-01 00:00:00.000'
            : '2030-01-01T00:00:00.000Z',
          /has its due time 2030-01-01T00:00:00.000Z where the audit has none/,
        ],
        [
          'requested_by',
          'dr-nobody',
          /has its requester dr-nobody where the audit has dr-baker/,
        ],
        ['details', '{"drug":"emapalumab"}', /has its details .*emapalumab/],
      ];
      for (const [column, value, said] of changes) {
        await suite.harness.query(
          `UPDATE work_items SET ${column} = ? WHERE ${approval}`,
          [value, episode.id],
        );
        expect({
          column,
          reasons: (await verify()).problems.map((p) => p.reason),
        }).toEqual({
          column,
          reasons: [expect.stringMatching(said)],
        });
        await suite.harness.query(
          `UPDATE work_items SET ${column} = ? WHERE ${approval}`,
          [kept?.[column], episode.id],
        );
        expect((await verify()).ok).toBe(true);
      }
      // An item of no episode at all: named by the whole audit's replay.
      const ghost = randomUUID();
      await insert({ ...kept, id: randomUUID(), episode_id: ghost });
      const whole = await as('auditor-ames').request(
        'GET',
        '/api/audit/verify?replay=true',
      );
      expect(whole.body.ok).toBe(false);
      expect(
        (whole.body.broken as { episodeId: string; reason: string }[]).filter(
          (p) => p.episodeId === ghost,
        ),
      ).toEqual([
        expect.objectContaining({
          reason:
            'the work item second-senior-approval about r1 belongs to no episode (added outside the service)',
        }),
      ]);
      await suite.harness.query(`DELETE FROM work_items WHERE episode_id = ?`, [
        ghost,
      ]);
    },
  );

  maybe('a refused (403, 422) or stale (409) event opens no item', async () => {
    const episode = await worseningEpisode();
    const before = await countRows(episode);
    const request = {
      requestId: 'r3',
      drug: 'etoposide',
      evidence: ['seed.refractory.3'],
    };
    // A clinician may not request refractory therapy (the role table: 403);
    // a senior must say why (the machine: 422).
    const byClinician = await send(
      'dr-adams',
      episode,
      'escalation.requested',
      request,
      { rationale: 'worsening' },
    );
    expect(byClinician.status).toBe(403);
    expect(byClinician.body.field).toBe('body.type');
    const noReason = await send(
      'dr-baker',
      episode,
      'escalation.requested',
      request,
    );
    expect(noReason.status).toBe(422);
    const stale = await as('dr-baker').request(
      'POST',
      `/api/episodes/${episode.id}/events`,
      {
        type: 'escalation.requested',
        payload: request,
        rationale: 'worsening',
        expectedVersion: episode.version - 1,
      },
    );
    expect(stale.status).toBe(409);
    expect(await countRows(episode)).toBe(before);
    expect(
      (
        await episodeItems(
          'dr-chen',
          episode,
          'kind=second-senior-approval&status=all',
        )
      ).total,
    ).toBe(0);
    // The same request, accepted, does open one.
    await accepted('dr-baker', episode, 'escalation.requested', request, {
      rationale: 'worsening',
    });
    expect(
      (await episodeItems('dr-chen', episode, 'kind=second-senior-approval'))
        .total,
    ).toBe(1);
  });

  maybe(
    'an event rolled back leaves no item; an item that cannot be written undoes its event',
    async () => {
      const episode = await worseningEpisode();
      const items = await countRows(episode);
      const request = {
        type: 'escalation.requested',
        payload: {
          requestId: 'r4',
          drug: 'etoposide',
          evidence: ['seed.refractory.3'],
        },
        rationale: 'worsening',
      };
      const post = () =>
        as('dr-baker').request('POST', `/api/episodes/${episode.id}/events`, {
          ...request,
          expectedVersion: episode.version,
        });
      const auditEntries = async () =>
        (
          await as('dr-baker').request(
            'GET',
            `/api/episodes/${episode.id}/audit`,
          )
        ).body.length as number;
      const entries = await auditEntries();
      const logged = jest.spyOn(console, 'error').mockImplementation(() => {
        // The simulated fault is logged as a 500: expected here.
      });
      try {
        for (const table of ['audit_entries', 'work_items']) {
          await failInserts(table);
          try {
            expect((await post()).status).toBe(500);
          } finally {
            await restoreInserts(table);
          }
          expect(await countRows(episode)).toBe(items);
          expect(await auditEntries()).toBe(entries);
        }
        // Both faults were logged as faults (500s), not answered as input.
        expect(logged).toHaveBeenCalledTimes(2);
      } finally {
        logged.mockRestore();
      }
      const detail = await as('dr-baker').request(
        'GET',
        `/api/episodes/${episode.id}`,
      );
      expect(detail.body.version).toBe(episode.version);
      // Once the database accepts writes again, the same event goes through.
      expect((await post()).status).toBe(201);
      expect(await countRows(episode)).toBe(items + 1);
      expect(await auditEntries()).toBe(entries + 1);
    },
  );

  /** Makes every insert into `table` fail (a fault inside the transaction). */
  async function failInserts(table: string): Promise<void> {
    if (engine === 'sqlite') {
      await suite.harness.query(
        `CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'simulated fault'); END`,
      );
      return;
    }
    await suite.harness.query(
      `CREATE OR REPLACE FUNCTION fail_insert() RETURNS trigger AS $f$ BEGIN RAISE EXCEPTION 'simulated fault'; END $f$ LANGUAGE plpgsql`,
    );
    await suite.harness.query(
      `CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION fail_insert()`,
    );
  }

  async function restoreInserts(table: string): Promise<void> {
    await suite.harness.query(
      engine === 'sqlite'
        ? `DROP TRIGGER fail_${table}`
        : `DROP TRIGGER fail_${table} ON ${table}`,
    );
  }

  maybe('an episode that ends closes its open items', async () => {
    const episode = await worseningEpisode();
    await accepted(
      'dr-baker',
      episode,
      'escalation.requested',
      { requestId: 'r5', drug: 'etoposide', evidence: ['seed.refractory.3'] },
      { rationale: 'worsening' },
    );
    expect((await episodeItems('dr-chen', episode)).total).toBeGreaterThan(1);
    await accepted('dr-adams', episode, 'transfer-out.recorded', {
      destination: 'regional PICU',
    });
    expect((await episodeItems('dr-chen', episode)).total).toBe(0);
    const all = await episodeItems('dr-chen', episode, 'status=all');
    expect(all.items.length).toBeGreaterThan(1);
    for (const item of all.items) {
      expect(item).toMatchObject({
        status: 'done',
        doneBy: 'dr-adams',
        resolution: 'episode-ended',
        closedBySeq: episode.version,
      });
    }
  });

  maybe(
    'training episodes: listed apart; trainees see theirs only',
    async () => {
      const training = await openEpisode('training');
      await accepted('trainee-tan', training, 'labs.recorded', (at) =>
        labs(florid, at),
      );
      await accepted('trainee-tan', training, 'therapy.started', (at) =>
        therapy('methylprednisolone', at),
      );
      await accepted('trainee-tan', training, 'severity.assessed', {
        severe: true,
        rapidlyWorsening: true,
      });
      const trainee = await workList('trainee-tan', 'status=all');
      expect(trainee.total).toBeGreaterThan(0);
      for (const item of trainee.items) {
        expect(item.episodeKind).toBe('training');
        expect(item.mayAct?.roles ?? []).toContain('trainee');
      }
      // A trainee's `episodeKind=real` still lists training episodes.
      expect(
        (await workList('trainee-tan', 'status=all&episodeKind=real')).total,
      ).toBe(trainee.total);
      const ward = await workList('dr-adams', `episodeId=${training.id}`);
      expect(ward.total).toBe(0);
      const apart = await workList(
        'dr-adams',
        `episodeId=${training.id}&episodeKind=training`,
      );
      expect(apart.total).toBeGreaterThan(0);
    },
  );

  maybe(
    'pages like the other lists; an auditor reads everything and may act on nothing',
    async () => {
      const all = await workList('auditor-ames', 'status=all&pageSize=100');
      expect(all.total).toBeGreaterThan(4);
      expect(all.items.every((i) => !i.actionable)).toBe(true);
      expect(
        (await workList('auditor-ames', 'status=all&actionable=true')).total,
      ).toBe(0);
      const first = await workList('auditor-ames', 'status=all&pageSize=2');
      const second = await workList(
        'auditor-ames',
        'status=all&pageSize=2&page=2',
      );
      expect(first).toMatchObject({ page: 1, pageSize: 2, total: all.total });
      expect(second).toMatchObject({ page: 2, pageSize: 2, total: all.total });
      expect([...first.items, ...second.items].map((i) => i.id)).toEqual(
        all.items.slice(0, 4).map((i) => i.id),
      );
      // Oldest first.
      const times = all.items.map((i) => Date.parse(i.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    },
  );

  maybe('any query string is answered, never with a 5xx', async () => {
    const episode = await openEpisode();
    const name = fc.oneof(
      fc.constantFrom(
        'kind',
        'status',
        'actionable',
        'page',
        'pageSize',
        'episodeId',
        'episodeKind',
      ),
      fc.string({ maxLength: 12 }),
    );
    const value = fc.oneof(
      fc.constantFrom('alert', 'open', 'all', 'true', '1', '100', episode.id),
      fc.string({ maxLength: 40 }),
      fc.integer().map(String),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(name, value), { maxLength: 4 }),
        fc.constantFrom('dr-chen', 'dr-adams', 'trainee-tan', 'auditor-ames'),
        fc.boolean(),
        async (pairs, user, onEpisode) => {
          const query = pairs
            .map(
              ([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
            )
            .join('&');
          const path = onEpisode
            ? `/api/episodes/${episode.id}/work-items?${query}`
            : `/api/work-items?${query}`;
          const result = await as(user).request('GET', path);
          // (A real episode is, to a trainee, one that does not exist.)
          const answered =
            [200, 400, 403].includes(result.status) ||
            (user === 'trainee-tan' && onEpisode && result.status === 404);
          expect({ path, status: result.status, answered }).toMatchObject({
            answered: true,
          });
          if (result.status === 400) {
            expect(typeof result.body.field).toBe('string');
            expect(typeof result.body.rule).toBe('string');
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  maybe(
    'a bad query is a 400 naming the field and the rule; every route is guarded',
    async () => {
      const episode = await openEpisode();
      const cases: [string, string, RegExp][] = [
        ['/api/work-items?status=maybe', 'status', /open|done|all/],
        ['/api/work-items?kind=chores', 'kind', /alert/],
        ['/api/work-items?kind=alert&kind=alert', 'kind', /.+/],
        ['/api/work-items?page=0', 'page', /whole number/],
        ['/api/work-items?page=-1', 'page', /whole number/],
        ['/api/work-items?pageSize=101', 'pageSize', /from 1 to 100/],
        ['/api/work-items?pageSize=ten', 'pageSize', /whole number/],
        ['/api/work-items?episodeId=xyz', 'episodeId', /episode id/],
        ['/api/work-items?episodeKind=demo', 'episodeKind', /real|training/],
        ['/api/work-items?actionable=yes', 'actionable', /true|false/],
        ['/api/work-items?sort=due', 'sort', /is not a known field/],
        [
          `/api/episodes/${episode.id}/work-items?status=closed`,
          'status',
          /open|done|all/,
        ],
        [
          `/api/episodes/${episode.id}/work-items?episodeId=${episode.id}`,
          'episodeId',
          /is not a known field/,
        ],
      ];
      for (const [path, field, rule] of cases) {
        const result = await as('dr-chen').request('GET', path);
        expect({ path, status: result.status }).toEqual({ path, status: 400 });
        expect({ path, field: result.body.field }).toEqual({ path, field });
        expect(result.body.rule).toMatch(rule);
        expect(result.body.message).toContain(field);
      }
      expect((await suite.api.request('GET', '/api/work-items')).status).toBe(
        401,
      );
      expect(
        (
          await suite.api.request(
            'GET',
            `/api/episodes/${episode.id}/work-items`,
          )
        ).status,
      ).toBe(401);
      expect((await as('admin').request('GET', '/api/work-items')).status).toBe(
        403,
      );
      // A real episode is, to a trainee, one that does not exist.
      expect(
        (
          await as('trainee-tan').request(
            'GET',
            `/api/episodes/${episode.id}/work-items`,
          )
        ).status,
      ).toBe(404);
      // A trainee may read the countersignatures of their training episodes
      // (their board flags them), never a real episode's.
      const traineeAsks = await as('trainee-tan').request(
        'GET',
        '/api/work-items?kind=countersignature&episodeKind=real',
      );
      expect(traineeAsks.status).toBe(200);
      expect(traineeAsks.body.items).toEqual([]);
      expect(
        (
          await as('dr-chen').request(
            'GET',
            '/api/episodes/00000000-0000-0000-0000-000000000000/work-items',
          )
        ).status,
      ).toBe(404);
      expect(
        (await as('dr-chen').request('GET', '/api/episodes/nope/work-items'))
          .status,
      ).toBe(404);
    },
  );
});
