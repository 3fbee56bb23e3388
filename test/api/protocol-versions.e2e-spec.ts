/**
 * The protocol versions (`GET /api/protocol/versions`) and their diff
 * (`GET /api/protocol/diff`), on both ENGINES: the deployed 1.0.0 is the
 * current one and counts the episodes opened under it; 1.1.0, deployed
 * beside it, adds LDH to the reassessment panel, its evidence resolved; a version the
 * build does not know is a 400 naming the field; no session, a 401. An
 * episode's read, its audit and its verification say whether each protocol
 * content it records is a pinned release (`ProtocolRelease`): pinned, with
 * the date and the change; content a development build wrote under 1.0.0,
 * stated as not pinned while the record verifies, by the whole audit's
 * verification too (`GET /api/audit/verify`, `cli audit verify`).
 */
import { describe, expect } from '@jest/globals';

import {
  auditEntryHash,
  type AuditRow,
  type EpisodeRow,
  episodeSeal,
} from '@mas/api';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  ENGINES,
  postgresRequirement,
  runCli,
  signedInSuite,
} from './api-harness.js';
import { labs } from './clinical-records.js';

const pgRequirement = await postgresRequirement();

describe.each(ENGINES)('protocol versions on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['dr-baker', 'senior'],
    ['trainee-tan', 'trainee'],
    ['auditor-ames', 'auditor'],
  ]);
  const { maybe, as } = suite;
  const now = () => suite.harness.clock.now().toISOString();

  /** An episode opened under 1.0.0 with one lab panel recorded (entry 1). */
  async function withLabs(identifier: string) {
    const opened = await as('dr-adams').request('POST', '/api/episodes', {
      patient: { ...amira, identifier },
    });
    expect(opened.status).toBe(201);
    suite.harness.clock.advance(30 * 60_000);
    const sent = await as('dr-adams').request(
      'POST',
      `/api/episodes/${opened.body.id as string}/events`,
      {
        type: 'labs.recorded',
        payload: labs(panelOf(floridMas, febrileSjia), now()),
        expectedVersion: opened.body.version,
      },
    );
    expect(sent.status).toBe(201);
    return {
      id: opened.body.id as string,
      version: sent.body.version as number,
    };
  }

  /** The episode, its audit and its verification, as an auditor reads them. */
  async function readAll(id: string) {
    const [detail, audit, verified] = await Promise.all(
      ['', '/audit', '/audit/verify'].map((tail) =>
        as('auditor-ames').request('GET', `/api/episodes/${id}${tail}`),
      ),
    );
    for (const answer of [detail, audit, verified]) {
      expect(answer?.status).toBe(200);
    }
    return {
      detail: detail?.body,
      audit: audit?.body as { seq: number; protocolRelease: unknown }[],
      verified: verified?.body,
    };
  }

  /** What GET /api/protocol/versions says of `version`'s latest pin. */
  async function latestPin(version: string) {
    const versions = await as('auditor-ames').request(
      'GET',
      '/api/protocol/versions',
    );
    const pins = (
      versions.body as {
        version: string;
        releases: { hash: string; date: string; change: string }[];
      }[]
    ).find((v) => v.version === version)?.releases;
    const latest = pins?.at(-1);
    if (pins === undefined || latest === undefined) {
      throw new Error(`no pin of ${version}`);
    }
    return {
      latest,
      pins: pins.map(({ hash, date }) => ({ hash, date })),
    };
  }

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

  /** What a record of `version`'s latest pinned content is said to be. */
  async function pinnedAnswer(version: string) {
    const { latest, pins } = await latestPin(version);
    return {
      version,
      hash: latest.hash,
      status: 'pinned',
      pinned: { date: latest.date, change: latest.change },
      releases: pins,
      statement: `Protocol ${version} — content as released ${latest.date}.`,
    };
  }

  maybe(
    "an episode's protocol content and each content its audit records, against the pinned releases: pinned, with the date and the change; migrated to 1.1.0, both named with their entries",
    async () => {
      const { id, version } = await withLabs('SYN-PV-REL');
      const pinned100 = await pinnedAnswer('1.0.0');
      const before = await readAll(id);
      expect(before.detail.protocolRelease).toEqual(pinned100);
      expect(before.audit.map((e) => e.protocolRelease)).toEqual([pinned100]);
      expect(before.verified.protocolReleases).toEqual([
        { ...pinned100, fromSeq: 1, toSeq: 1, entries: 1 },
      ]);

      suite.harness.clock.advance(60 * 60_000);
      const migrated = await as('dr-baker').request(
        'POST',
        `/api/episodes/${id}/migrate`,
        {
          toVersion: '1.1.0',
          rationale: 'the committee deployed 1.1.0',
          expectedVersion: version,
        },
      );
      expect(migrated.status).toBe(201);
      const pinned110 = await pinnedAnswer('1.1.0');
      const after = await readAll(id);
      expect(after.detail.protocolRelease).toEqual(pinned110);
      // The migration's own entry is under the version it moved to.
      expect(after.audit.map((e) => e.protocolRelease)).toEqual([
        pinned100,
        pinned110,
      ]);
      expect(after.verified).toMatchObject({
        ok: true,
        protocolReleases: [
          { ...pinned100, fromSeq: 1, toSeq: 1, entries: 1 },
          { ...pinned110, fromSeq: 2, toSeq: 2, entries: 1 },
        ],
      });
    },
  );

  maybe(
    'a record written by a development build (other content under 1.0.0, its chain and seal authenticated): read and verified, its content stated as not pinned, never refused',
    async () => {
      const { id } = await withLabs('SYN-PV-DEV');
      const developmentHash = `sha256:${'0d'.repeat(32)}`;
      // The record as a build before the pin wrote it: the same events under
      // other 1.0.0 content, authenticated with the audit key as it was.
      const { dataSource } = suite.harness.service;
      const episodes = dataSource.getRepository<EpisodeRow>('Episode');
      const entries = dataSource.getRepository<AuditRow>('AuditEntry');
      const row = await episodes.findOneByOrFail({ id });
      const pinnedHash = row.protocolHash;
      const rewritten = (text: string) =>
        text.split(pinnedHash).join(developmentHash);
      let head: string | null = null;
      for (const entry of await entries.find({
        where: { episodeId: id },
        order: { seq: 'ASC' },
      })) {
        const { id: entryId, hash: _hash, ...fields } = entry;
        const written = {
          ...fields,
          protocolHash: developmentHash,
          prevHash: head ?? fields.prevHash,
        };
        head = auditEntryHash(suite.harness.keys.audit, written);
        await entries.update(
          { id: entryId },
          {
            protocolHash: developmentHash,
            prevHash: written.prevHash,
            hash: head,
          },
        );
      }
      const written = {
        ...row,
        snapshot: rewritten(row.snapshot),
        initialSnapshot:
          row.initialSnapshot === null ? null : rewritten(row.initialSnapshot),
        protocolHash: developmentHash,
      };
      expect(written.snapshot).not.toBe(row.snapshot);
      await episodes.update(
        { id },
        {
          snapshot: written.snapshot,
          initialSnapshot: written.initialSnapshot,
          protocolHash: developmentHash,
          seal: episodeSeal(suite.harness.keys.audit, written, head),
        },
      );

      // Read by a service started afresh (as a new build reads old records;
      // the running one keeps the snapshots it wrote).
      await suite.harness.restart();
      const { pins } = await latestPin('1.0.0');
      const dates = pins.map((p) => `pinned ${p.date}`).join(', ');
      const notPinned = {
        version: '1.0.0',
        hash: developmentHash,
        status: 'not-pinned',
        pinned: null,
        releases: pins,
        statement: `Protocol 1.0.0 — content not among the pinned releases of 1.0.0 (${dates}): written by a build before the pin or a changed copy; the record is kept as written.`,
      };
      const read = await readAll(id);
      expect(read.detail.protocolRelease).toEqual(notPinned);
      expect(read.audit.map((e) => e.protocolRelease)).toEqual([notPinned]);
      // Authenticated as written: it verifies, and says what it ran under.
      expect(read.verified).toMatchObject({
        ok: true,
        problems: [],
        protocolReleases: [{ ...notPinned, fromSeq: 1, toSeq: 1, entries: 1 }],
      });
      // The whole audit, as the service and the command line verify it:
      // the content stated with the episodes under it, not a problem.
      const all = await as('auditor-ames').request('GET', '/api/audit/verify');
      expect(all.status).toBe(200);
      expect(all.body.ok).toBe(true);
      expect(all.body.protocolReleases).toContainEqual({
        ...notPinned,
        episodes: 1,
        entries: 1,
      });
      const pinnedFirst = (
        all.body.protocolReleases as { status: string }[]
      ).map((r) => r.status);
      expect(pinnedFirst).toEqual(
        [...pinnedFirst].sort((a, b) =>
          a === 'pinned' ? -1 : b === 'pinned' ? 1 : 0,
        ),
      );
      const cli = runCli(suite.harness, ['audit', 'verify']);
      expect({ status: cli.status, stderr: cli.stderr }).toEqual({
        status: 0,
        stderr: '',
      });
      expect(cli.stdout).toContain('Protocol content the records ran under:');
      expect(cli.stdout).toContain(
        `  ! ${notPinned.statement} (1 episode, 1 entry)`,
      );
    },
  );
});
