/**
 * Institution profiles versioned like the protocol (issue 18): a service
 * restarted with another profile has every running episode adopt it before
 * its next event (`profile.adopted`, recorded by the service at the
 * episode's own time, its own audit entry), so the decisions that follow run
 * under the new profile and their audit entries name it; the entries before
 * keep the old one, and the chain and the replay verify across the change.
 * Over real HTTP on both ENGINES.
 */
import { describe, expect } from '@jest/globals';

import { parseInstitutionProfile } from '@mas/protocol';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import {
  ENGINES,
  exampleProfile,
  postgresRequirement,
  signedInSuite,
} from './api-harness.js';
import { labs, therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();
const florid = panelOf(floridMas, febrileSjia);

/** The EXAMPLE profile, version 1.1.0, with dexamethasone capped at 5 mg a day. */
const revised = parseInstitutionProfile({
  ...exampleProfile.source,
  version: '1.1.0',
  doses: {
    ...exampleProfile.data.doses,
    dexamethasone: { mgPerM2PerDay: 10, maxMgPerDay: 5 },
  },
});

interface Entry {
  type: string;
  actorId: string;
  actorRole: string;
  occurredAt: string;
  profileHash: string;
  payload: Record<string, unknown>;
}

describe.each(ENGINES)('institution profile adoption on %s', (engine) => {
  const suite = signedInSuite(engine, pgRequirement, [
    ['dr-adams', 'clinician'],
    ['auditor-ames', 'auditor'],
  ]);
  const { maybe, as } = suite;
  const now = () => suite.harness.clock.now().toISOString();

  async function send(
    id: string,
    version: number,
    type: string,
    payload: unknown,
  ) {
    suite.harness.clock.advance(30 * 60_000);
    return as('dr-adams').request('POST', `/api/episodes/${id}/events`, {
      type,
      payload,
      expectedVersion: version,
    });
  }

  async function audit(id: string): Promise<Entry[]> {
    const answer = await as('auditor-ames').request(
      'GET',
      `/api/episodes/${id}/audit`,
    );
    expect(answer.status).toBe(200);
    return answer.body as Entry[];
  }

  maybe(
    'a running episode adopts the later profile with its next event, in the same write: audited by the service at the episode time, the new limits apply, a refused event leaves no adoption, earlier entries keep the old hash, and everything verifies',
    async () => {
      expect(revised.hash).not.toBe(exampleProfile.hash);
      const opened = await as('dr-adams').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: 'SYN-PROF-1' },
      });
      expect(opened.status).toBe(201);
      const id = opened.body.id as string;
      const recorded = await send(id, 0, 'labs.recorded', labs(florid, now()));
      expect(recorded.status).toBe(201);
      const lastTime = (await audit(id)).at(-1)?.occurredAt;

      await suite.harness.restart(undefined, revised);

      // The standard dexamethasone dose under the EXAMPLE profile is over
      // the revised profile's 5 mg a day: refused, naming that cap; the
      // refused write leaves nothing, the adoption included.
      const refused = await send(
        id,
        1,
        'therapy.started',
        therapy('dexamethasone', now()),
      );
      expect(refused.status).toBe(422);
      expect(refused.body.message).toMatch(
        /above the soft limit of 5 mg per day .*institutional maximum per day of 5 mg/,
      );
      // Judged under the revised profile while the episode still shows the
      // EXAMPLE one: the refusal names the profile that judged it.
      expect(refused.body.message).toContain(
        `judged under the institution profile ${revised.data.profileId} ${revised.data.version}`,
      );
      expect((await audit(id)).map((e) => e.type)).toEqual(['labs.recorded']);

      // The version the client saw still stands: the adoption and the
      // event are written together.
      const pulse = await send(
        id,
        1,
        'therapy.started',
        therapy('methylprednisolone', now()),
      );
      expect(pulse.status).toBe(201);
      expect(pulse.body.version).toBe(3);
      const entries = await audit(id);
      expect(entries.map((e) => [e.type, e.profileHash])).toEqual([
        ['labs.recorded', exampleProfile.hash],
        ['profile.adopted', revised.hash],
        ['therapy.started', revised.hash],
      ]);
      expect(entries[1]).toMatchObject({
        actorId: 'service',
        actorRole: 'system',
        occurredAt: lastTime,
        payload: { hash: revised.hash },
      });
      const detail = await as('dr-adams').request('GET', `/api/episodes/${id}`);
      expect(detail.body).toMatchObject({
        version: 3,
        profile: { version: '1.1.0', hash: revised.hash },
      });

      // The chain, the seal and the replay verify across the change.
      const verified = await as('auditor-ames').request(
        'GET',
        `/api/episodes/${id}/audit/verify`,
      );
      expect(verified.body).toMatchObject({ ok: true });
      const all = await as('auditor-ames').request(
        'GET',
        '/api/audit/verify?replay=true',
      );
      expect(all.body).toMatchObject({ ok: true });
      // And no user records an adoption.
      const forged = await send(id, 3, 'profile.adopted', {
        profile: revised.source,
        hash: revised.hash,
      });
      expect(forged.status).toBe(403);
      expect(forged.body.field).toBe('body.type');
    },
  );

  maybe(
    'the same request sent twice at once with one Idempotency-Key across an adoption: one recorded, both told so',
    async () => {
      await suite.harness.restart(undefined, exampleProfile);
      const opened = await as('dr-adams').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: 'SYN-PROF-2' },
      });
      const id = opened.body.id as string;
      expect(opened.body.profile.hash).toBe(exampleProfile.hash);
      await suite.harness.restart(undefined, revised);
      suite.harness.clock.advance(30 * 60_000);
      const body = {
        type: 'labs.recorded',
        payload: labs(florid, now()),
        expectedVersion: 0,
      };
      const twice = await Promise.all(
        [1, 2].map(() =>
          as('dr-adams').request('POST', `/api/episodes/${id}/events`, body, {
            'idempotency-key': 'adopt-once',
          }),
        ),
      );
      // The second is answered with the first's answer (its status as recorded).
      for (const answer of twice) expect([200, 201]).toContain(answer.status);
      expect(twice.map((answer) => answer.body.version)).toEqual([2, 2]);
      expect((await audit(id)).map((e) => e.type)).toEqual([
        'profile.adopted',
        'labs.recorded',
      ]);
    },
  );

  maybe(
    'never moved back: a service rolled back to the earlier profile leaves episodes under the later one, one version per event',
    async () => {
      await suite.harness.restart(undefined, revised);
      const opened = await as('dr-adams').request('POST', '/api/episodes', {
        patient: { ...amira, identifier: 'SYN-PROF-3' },
      });
      const id = opened.body.id as string;
      expect(opened.body.profile.hash).toBe(revised.hash);
      await suite.harness.restart(undefined, exampleProfile);
      const next = await send(id, 0, 'labs.recorded', labs(florid, now()));
      expect(next.status).toBe(201);
      expect(next.body.version).toBe(1);
      expect((await audit(id)).map((e) => [e.type, e.profileHash])).toEqual([
        ['labs.recorded', revised.hash],
      ]);
    },
  );
});
