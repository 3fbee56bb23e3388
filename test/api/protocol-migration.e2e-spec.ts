/**
 * Two protocol versions deployed at once and a running episode migrated
 * between them (issue 18), over real HTTP on both ENGINES: an episode opened
 * under 1.0.0 beside one moved to 1.1.0, each following its own version's
 * rules; the move audited (who, why, from, to, the plan's hash), the chain
 * and the replay still verifying, the state at a time before the move under
 * 1.0.0 and after it under 1.1.0; refusals named (role, version, no plan,
 * stale version); and a service whose current version is 1.1.0 opening new
 * episodes under it.
 */
import { describe, expect } from '@jest/globals';

import { amira, febrileSjia, floridMas, improved, panelOf } from '@mas/testing';

import { ENGINES, postgresRequirement, signedInSuite } from './api-harness.js';
import { labs, therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();
const florid = panelOf(floridMas, febrileSjia);
const users: [string, 'clinician' | 'senior' | 'auditor'][] = [
  ['dr-adams', 'clinician'],
  ['dr-baker', 'senior'],
  ['auditor-ames', 'auditor'],
];

/** A reassessment panel without LDH (complete for 1.0.0, not for 1.1.0). */
function withoutLdh(at: string) {
  const { ldh: _ldh, ...panel } = panelOf(improved(floridMas));
  return labs(panel, at);
}

describe.each(ENGINES)('protocol migration on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, users);
  const { maybe, as } = suite;
  const now = () => suite.harness.clock.now().toISOString();

  async function onPulse(identifier: string) {
    const opened = await as('dr-adams').request('POST', '/api/episodes', {
      patient: { ...amira, identifier },
    });
    expect(opened.status).toBe(201);
    expect(opened.body.protocol.version).toBe('1.0.0');
    const id = opened.body.id as string;
    let version = opened.body.version as number;
    for (const [type, payload] of [
      ['labs.recorded', () => labs(florid, now())],
      ['therapy.started', () => therapy('methylprednisolone', now())],
    ] as const) {
      suite.harness.clock.advance(30 * 60_000);
      const sent = await as('dr-adams').request(
        'POST',
        `/api/episodes/${id}/events`,
        { type, payload: payload(), expectedVersion: version },
      );
      expect(sent.status).toBe(201);
      version = sent.body.version;
    }
    return { id, version };
  }

  maybe(
    'an episode moved to 1.1.0 mid-course beside one left on 1.0.0: audited, verified, replayed, each under its own rules',
    async () => {
      const stays = await onPulse('SYN-MIG-1');
      const moves = await onPulse('SYN-MIG-2');
      const beforeMove = now();
      suite.harness.clock.advance(60 * 60_000);
      const migrated = await as('dr-baker').request(
        'POST',
        `/api/episodes/${moves.id}/migrate`,
        {
          toVersion: '1.1.0',
          rationale: 'the committee deployed 1.1.0 (LDH at each reassessment)',
          expectedVersion: moves.version,
        },
      );
      expect(migrated.status).toBe(201);
      expect(migrated.body.version).toBe(moves.version + 1);
      const afterMove = now();

      const detail = await as('dr-adams').request(
        'GET',
        `/api/episodes/${moves.id}`,
      );
      expect(detail.body.protocol.version).toBe('1.1.0');
      const unmoved = await as('dr-adams').request(
        'GET',
        `/api/episodes/${stays.id}`,
      );
      expect(unmoved.body.protocol.version).toBe('1.0.0');
      // The same states: the plan maps every state to itself.
      expect(detail.body.value).toEqual(unmoved.body.value);

      const audit = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${moves.id}/audit`,
      );
      const entry = (audit.body as { type: string }[]).at(-1) as Record<
        string,
        unknown
      >;
      expect(entry).toMatchObject({
        type: 'protocol.migrated',
        actorId: 'dr-baker',
        actorRole: 'senior-clinician',
        rationale: 'the committee deployed 1.1.0 (LDH at each reassessment)',
        payload: {
          fromVersion: '1.0.0',
          toVersion: '1.1.0',
          planHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        },
      });

      // Later events follow each episode's own version.
      suite.harness.clock.advance(8 * 3_600_000);
      const reassess = async (id: string, version: number) => {
        const answer = await as('dr-adams').request(
          'POST',
          `/api/episodes/${id}/events`,
          {
            type: 'reassessment.recorded',
            payload: withoutLdh(now()),
            expectedVersion: version,
          },
        );
        expect(answer.status).toBe(201);
        return answer.body as { alerts: { id: string }[] };
      };
      const onOld = await reassess(stays.id, stays.version);
      const onNew = await reassess(moves.id, moves.version + 1);
      expect(onOld.alerts.map((a) => a.id)).not.toContain(
        'monitoring-incomplete',
      );
      expect(onNew.alerts.map((a) => a.id)).toContain('monitoring-incomplete');

      // The state at a time: before the move under 1.0.0, after it under 1.1.0.
      const at = async (instant: string) => {
        const answer = await as('auditor-ames').request(
          'GET',
          `/api/episodes/${moves.id}/state?at=${encodeURIComponent(instant)}`,
        );
        expect(answer.status).toBe(200);
        return answer.body.context.protocol.version as string;
      };
      expect(await at(beforeMove)).toBe('1.0.0');
      expect(await at(afterMove)).toBe('1.1.0');

      // The chain, the seal and the replay verify across the move.
      const verified = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${moves.id}/audit/verify`,
      );
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ ok: true });
      const all = await as('auditor-ames').request(
        'GET',
        '/api/audit/verify?replay=true',
      );
      expect(all.body).toMatchObject({ ok: true });

      // The versions list counts each episode under its version.
      const versions = await as('auditor-ames').request(
        'GET',
        '/api/protocol/versions',
      );
      const count = (v: string) =>
        (
          versions.body as {
            version: string;
            episodes: { real: number };
          }[]
        ).find((x) => x.version === v)?.episodes.real;
      expect(count('1.1.0')).toBe(1);
      expect(count('1.0.0')).toBeGreaterThanOrEqual(1);
    },
  );

  maybe(
    'refusals: a clinician 403; a version not deployed 400 naming body.toVersion; no proven plan 422; a stale version 409; nothing written',
    async () => {
      const episode = await onPulse('SYN-MIG-3');
      const migrate = (user: string, body: Record<string, unknown>) =>
        as(user).request('POST', `/api/episodes/${episode.id}/migrate`, body);
      const valid = {
        toVersion: '1.1.0',
        rationale: 'committee decision',
        expectedVersion: episode.version,
      };
      expect((await migrate('dr-adams', valid)).status).toBe(403);
      // Never through the events route (whose time a client may choose).
      const asEvent = await as('dr-baker').request(
        'POST',
        `/api/episodes/${episode.id}/events`,
        {
          type: 'protocol.migrated',
          payload: {
            fromVersion: '1.0.0',
            toVersion: '1.1.0',
            planHash: `sha256:${'0'.repeat(64)}`,
          },
          rationale: 'backdated',
          occurredAt: '2020-01-01T00:00:00.000Z',
          expectedVersion: episode.version,
        },
      );
      expect(asEvent.status).toBe(400);
      expect(asEvent.body).toMatchObject({ field: 'body.type' });
      expect(asEvent.body.rule).toContain('/migrate');
      const unknown = await migrate('dr-baker', { ...valid, toVersion: '9.9' });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ field: 'body.toVersion' });
      expect(unknown.body.rule).toContain('(1.0.0, 1.1.0)');
      const same = await migrate('dr-baker', { ...valid, toVersion: '1.0.0' });
      expect(same.status).toBe(422);
      expect(same.body.message).toContain(
        'no proven migration plan leads from protocol version 1.0.0 to 1.0.0',
      );
      // Kept with the machine's refusals.
      const attempts = await suite.harness.query(
        'SELECT type, actor_id, reason FROM rejected_attempts WHERE episode_id = ?',
        [episode.id],
      );
      expect(attempts).toEqual([
        {
          type: 'protocol.migrated',
          actor_id: 'dr-baker',
          reason:
            'no proven migration plan leads from protocol version 1.0.0 to 1.0.0',
        },
      ]);
      const noRationale = await migrate('dr-baker', {
        toVersion: '1.1.0',
        expectedVersion: episode.version,
      });
      expect(noRationale.status).toBe(400);
      expect(noRationale.body.field).toBe('body.rationale');
      const stale = await migrate('dr-baker', {
        ...valid,
        expectedVersion: episode.version - 1,
      });
      expect(stale.status).toBe(409);
      const detail = await as('dr-adams').request(
        'GET',
        `/api/episodes/${episode.id}`,
      );
      expect(detail.body).toMatchObject({
        version: episode.version,
        protocol: { version: '1.0.0' },
      });
      // Once moved, there is no plan back.
      expect((await migrate('dr-baker', valid)).status).toBe(201);
      const back = await migrate('dr-baker', {
        ...valid,
        toVersion: '1.0.0',
        expectedVersion: episode.version + 1,
      });
      expect(back.status).toBe(422);
      expect(back.body.message).toContain(
        'from protocol version 1.1.0 to 1.0.0',
      );
    },
  );
});

describe.each(ENGINES)('bulk protocol migration on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, users);
  const { maybe, as } = suite;
  const now = () => suite.harness.clock.now().toISOString();

  async function opened(identifier: string) {
    const answer = await as('dr-adams').request('POST', '/api/episodes', {
      patient: { ...amira, identifier },
    });
    expect(answer.status).toBe(201);
    return { id: answer.body.id as string, version: 0 };
  }

  async function record(
    episode: { id: string; version: number },
    type: string,
    payload: unknown,
  ) {
    suite.harness.clock.advance(30 * 60_000);
    const sent = await as('dr-adams').request(
      'POST',
      `/api/episodes/${episode.id}/events`,
      { type, payload, expectedVersion: episode.version },
    );
    expect(sent.status).toBe(201);
    episode.version = sent.body.version as number;
  }

  const bulk = (user: string, body: Record<string, unknown>) =>
    as(user).request('POST', '/api/episodes/migrate', body);

  maybe(
    'a dry run lists every running episode with its stage and alerts after the move and writes nothing; the migration then does what it listed, one audit entry each; finished episodes stay; run again, none is left',
    async () => {
      const onPulse = await opened('SYN-BULK-1');
      await record(onPulse, 'labs.recorded', labs(florid, now()));
      await record(
        onPulse,
        'therapy.started',
        therapy('methylprednisolone', now()),
      );
      // A reassessment without LDH: complete under 1.0.0, not under 1.1.0.
      suite.harness.clock.advance(6 * 3_600_000);
      await record(onPulse, 'reassessment.recorded', withoutLdh(now()));
      const suspected = await opened('SYN-BULK-2');
      await record(suspected, 'labs.recorded', labs(florid, now()));
      const finished = await opened('SYN-BULK-3');
      await record(finished, 'transfer-out.recorded', {
        destination: 'regional PICU',
      });
      const running = [onPulse, suspected];

      const auditLength = async (id: string) =>
        (
          (await as('auditor-ames').request('GET', `/api/episodes/${id}/audit`))
            .body as unknown[]
        ).length;
      const lengths = await Promise.all(running.map((e) => auditLength(e.id)));

      // An auditor may ask for the dry run (the default).
      const dry = await bulk('auditor-ames', {
        fromVersion: '1.0.0',
        toVersion: '1.1.0',
      });
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({
        fromVersion: '1.0.0',
        toVersion: '1.1.0',
        kind: 'real',
        dryRun: true,
        planHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        totals: {
          running: 2,
          finished: 1,
          wouldMigrate: 2,
          migrated: 0,
          refused: 0,
          changed: 0,
        },
      });
      type Item = {
        id: string;
        outcome: string;
        version: number;
        stageBefore: string;
        stageAfter: string;
        alertsGained: { id: string }[];
      };
      const listed = dry.body.episodes as Item[];
      expect(listed.map((item) => item.id).sort()).toEqual(
        running.map((e) => e.id).sort(),
      );
      for (const item of listed) {
        const episode = running.find((e) => e.id === item.id);
        expect(item).toMatchObject({
          outcome: 'would-migrate',
          version: episode?.version,
        });
      }
      // Each history replayed under 1.1.0 beside the plan: the reassessment
      // without LDH would have raised "monitoring incomplete" there; the
      // plan keeps what was recorded.
      const replayOf = (id: string) =>
        (
          listed.find((item) => item.id === id) as unknown as {
            replay: { outcome: string; detail: string };
          }
        ).replay;
      expect(replayOf(onPulse.id)).toEqual({
        outcome: 'differs',
        detail: expect.stringMatching(
          /^replayed under 1\.1\.0, the history would give (other states; )?also Monitoring incomplete: the plan keeps what was recorded$/,
        ),
      });
      expect(replayOf(suspected.id).outcome).toBe('agrees');
      // Nothing written: each still under 1.0.0 at its version, audit as it was.
      for (const [index, episode] of running.entries()) {
        const detail = await as('dr-adams').request(
          'GET',
          `/api/episodes/${episode.id}`,
        );
        expect(detail.body).toMatchObject({
          version: episode.version,
          protocol: { version: '1.0.0' },
        });
        expect(await auditLength(episode.id)).toBe(lengths[index]);
      }

      // Applying: auditors may not; a senior must say why.
      const asAuditor = await bulk('auditor-ames', {
        fromVersion: '1.0.0',
        toVersion: '1.1.0',
        dryRun: false,
        rationale: 'committee decision',
      });
      expect(asAuditor.status).toBe(403);
      const noReason = await bulk('dr-baker', {
        fromVersion: '1.0.0',
        toVersion: '1.1.0',
        dryRun: false,
      });
      expect(noReason.status).toBe(400);
      expect(noReason.body.field).toBe('body.rationale');

      const done = await bulk('dr-baker', {
        fromVersion: '1.0.0',
        toVersion: '1.1.0',
        dryRun: false,
        rationale: 'the committee deployed 1.1.0 (LDH at each reassessment)',
      });
      expect(done.status).toBe(200);
      expect(done.body.totals).toMatchObject({
        running: 2,
        finished: 1,
        migrated: 2,
        wouldMigrate: 0,
      });
      // What the dry run listed is what each became.
      for (const item of done.body.episodes as Item[]) {
        expect(item.outcome).toBe('migrated');
        const before = listed.find((x) => x.id === item.id);
        expect(item.stageAfter).toBe(before?.stageAfter);
        const detail = await as('dr-adams').request(
          'GET',
          `/api/episodes/${item.id}`,
        );
        expect(detail.body.protocol.version).toBe('1.1.0');
        expect(detail.body.version).toBe(item.version + 1);
        expect(detail.body.stage).toBe(item.stageAfter);
        const audit = (
          await as('auditor-ames').request(
            'GET',
            `/api/episodes/${item.id}/audit`,
          )
        ).body as Record<string, unknown>[];
        expect(audit.at(-1)).toMatchObject({
          type: 'protocol.migrated',
          actorId: 'dr-baker',
          rationale: 'the committee deployed 1.1.0 (LDH at each reassessment)',
          payload: { fromVersion: '1.0.0', toVersion: '1.1.0' },
        });
      }
      const stays = await as('dr-adams').request(
        'GET',
        `/api/episodes/${finished.id}`,
      );
      expect(stays.body.protocol.version).toBe('1.0.0');
      const verified = await as('auditor-ames').request(
        'GET',
        '/api/audit/verify?replay=true',
      );
      expect(verified.body).toMatchObject({ ok: true });

      const again = await bulk('dr-baker', {
        fromVersion: '1.0.0',
        toVersion: '1.1.0',
        dryRun: false,
        rationale: 'the committee deployed 1.1.0 (LDH at each reassessment)',
      });
      expect(again.body.totals).toMatchObject({ running: 0, migrated: 0 });
    },
  );

  maybe(
    'refusals: a clinician 403; a version not deployed 400 naming the field; no plan 422; an unknown field 400',
    async () => {
      const valid = { fromVersion: '1.0.0', toVersion: '1.1.0' };
      expect((await bulk('dr-adams', valid)).status).toBe(403);
      const from = await bulk('dr-baker', { ...valid, fromVersion: '0.9' });
      expect(from.status).toBe(400);
      expect(from.body.field).toBe('body.fromVersion');
      const to = await bulk('dr-baker', { ...valid, toVersion: '9.9' });
      expect(to.status).toBe(400);
      expect(to.body.field).toBe('body.toVersion');
      const back = await bulk('dr-baker', {
        fromVersion: '1.1.0',
        toVersion: '1.0.0',
      });
      expect(back.status).toBe(422);
      expect(back.body.message).toContain(
        'no proven migration plan leads from protocol version 1.1.0 to 1.0.0',
      );
      const extra = await bulk('dr-baker', { ...valid, everything: true });
      expect(extra.status).toBe(400);
    },
  );
});

describe.each(ENGINES)(
  'a service whose current version is 1.1.0, on %s',
  (engine) => {
    const suite = signedInSuite(
      engine,
      pgRequirement,
      [['dr-adams', 'clinician']],
      { PROTOCOL_VERSION: '1.1.0' },
    );
    const { maybe, as } = suite;

    maybe(
      'opens new episodes under 1.1.0 and lists it as current',
      async () => {
        const opened = await as('dr-adams').request('POST', '/api/episodes', {
          patient: { ...amira, identifier: 'SYN-MIG-CUR' },
        });
        expect(opened.status).toBe(201);
        expect(opened.body.protocol.version).toBe('1.1.0');
        const versions = await as('dr-adams').request(
          'GET',
          '/api/protocol/versions',
        );
        expect(
          (versions.body as { version: string; current: boolean }[]).map(
            (v) => [v.version, v.current],
          ),
        ).toEqual([
          ['1.0.0', false],
          ['1.1.0', true],
        ]);
      },
    );
  },
);
