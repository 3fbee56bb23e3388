/**
 * The readers of an audit honour "entered in error" (over real HTTP on both
 * ENGINES): the escalation report lists a voided decision as entered in
 * error (who voided it, when, why), never as an entry it cannot read.
 */
import { describe, expect } from '@jest/globals';

import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import { ENGINES, postgresRequirement, signedInSuite } from './api-harness.js';
import { labs, therapy } from './clinical-records.js';

const pgRequirement = await postgresRequirement();
const florid = panelOf(floridMas, febrileSjia);
const users: [string, 'clinician' | 'senior' | 'auditor' | 'trainee'][] = [
  ['trainee-tan', 'trainee'],
  ['dr-adams', 'clinician'],
  ['dr-baker', 'senior'],
  ['dr-chen', 'senior'],
  ['dr-diaz', 'senior'],
  ['auditor-ames', 'auditor'],
];

describe.each(ENGINES)(
  'readers of entries entered in error on %s',
  (engine) => {
    const suite = signedInSuite(engine, pgRequirement, users);
    const { maybe, as } = suite;
    const now = () => suite.harness.clock.now().toISOString();

    async function open(identifier: string) {
      const opened = await as('dr-adams').request('POST', '/api/episodes', {
        patient: { ...amira, identifier },
      });
      expect(opened.status).toBe(201);
      return opened.body as { id: string; version: number };
    }

    async function record(
      user: string,
      id: string,
      version: number,
      type: string,
      payload: unknown,
      rationale?: string,
    ): Promise<number> {
      suite.harness.clock.advance(30 * 60_000);
      const sent = await as(user).request(
        'POST',
        `/api/episodes/${id}/events`,
        {
          type,
          payload,
          ...(rationale === undefined ? {} : { rationale }),
          expectedVersion: version,
        },
      );
      expect([sent.status, sent.body]).toEqual([201, expect.anything()]);
      return sent.body.version as number;
    }

    /** A florid MAS on a methylprednisolone pulse, severe and worsening. */
    async function worseningOnSteroids(identifier: string) {
      const { id } = await open(identifier);
      let version = await record(
        'dr-adams',
        id,
        0,
        'labs.recorded',
        labs(florid, now()),
      );
      version = await record(
        'dr-adams',
        id,
        version,
        'therapy.started',
        therapy('methylprednisolone', now()),
      );
      version = await record('dr-adams', id, version, 'severity.assessed', {
        severe: true,
        rapidlyWorsening: true,
      });
      return { id, version };
    }

    function markInError(
      user: string,
      id: string,
      body: Record<string, unknown>,
    ) {
      suite.harness.clock.advance(10 * 60_000);
      return as(user).request(
        'POST',
        `/api/episodes/${id}/entered-in-error`,
        body,
      );
    }

    maybe(
      'the escalation report: a rejection entered in error by its author is listed as such (by whom, why), then the approval; no entry "not read"',
      async () => {
        const { id, version: worsening } =
          await worseningOnSteroids('SYN-VR-1');
        let version = worsening;
        const requestedSeq = (version = await record(
          'dr-baker',
          id,
          version,
          'escalation.requested',
          {
            requestId: 'r1',
            drug: 'etoposide',
            evidence: ['seed.refractory.3'],
          },
          'worsening on steroids',
        ));
        const rejectedSeq = (version = await record(
          'dr-chen',
          id,
          version,
          'escalation.rejected',
          { requestId: 'r1' },
          'not yet',
        ));
        const voided = await markInError('dr-chen', id, {
          seq: rejectedSeq,
          rationale: 'rejected the wrong request',
          expectedVersion: version,
        });
        expect([voided.status, voided.body]).toEqual([201, expect.anything()]);
        const voidSeq = voided.body.enteredInError.voidSeq as number;
        const voidedAt = now();
        version = voided.body.version;
        const approvedSeq = await record(
          'dr-diaz',
          id,
          version,
          'escalation.approved',
          { requestId: 'r1' },
          'agreed: etoposide',
        );

        const report = await as('auditor-ames').request(
          'GET',
          '/api/escalations',
        );
        expect(report.status).toBe(200);
        const rows = (
          report.body as { episodeId: string; decision: string }[]
        ).filter((row) => row.episodeId === id);
        expect(rows.map((row) => row.decision)).toEqual([
          'requested',
          'rejected',
          'approved',
        ]);
        expect(rows).toMatchObject([
          {
            seq: requestedSeq,
            requestedBy: 'dr-baker',
            drug: 'etoposide',
            enteredInError: null,
          },
          {
            seq: rejectedSeq,
            decidedBy: 'dr-chen',
            requestedBy: 'dr-baker',
            drug: 'etoposide',
            rationale: 'not yet',
            hoursFromWarrantedToDecision: null,
            enteredInError: {
              voidSeq,
              actorId: 'dr-chen',
              actorRole: 'senior-clinician',
              recordedAt: voidedAt,
              rationale: 'rejected the wrong request',
            },
          },
          {
            seq: approvedSeq,
            decidedBy: 'dr-diaz',
            requestedBy: 'dr-baker',
            enteredInError: null,
          },
        ]);

        const csv = await as('auditor-ames').request(
          'GET',
          '/api/escalations?format=csv',
        );
        expect(csv.status).toBe(200);
        const lines = (csv.body as string)
          .split('\n')
          .filter((line) => line.startsWith(id));
        expect(lines).toHaveLength(3);
        expect(lines[1]).toContain(
          `entered-in-error,dr-chen (senior-clinician),${voidedAt},rejected the wrong request`,
        );
        expect(lines[2]).toContain(',recorded,,,');
      },
    );

    maybe(
      'the escalation report: an approval entered in error keeps what it approved and for whom, though its request was entered in error too; the id asked for again is another request',
      async () => {
        const { id, version: worsening } =
          await worseningOnSteroids('SYN-VR-9');
        let version = worsening;
        const request = {
          requestId: 'r1',
          drug: 'etoposide',
          evidence: ['seed.refractory.3'],
        };
        const requestedSeq = (version = await record(
          'dr-baker',
          id,
          version,
          'escalation.requested',
          request,
          'worsening on steroids',
        ));
        const approvedSeq = (version = await record(
          'dr-chen',
          id,
          version,
          'escalation.approved',
          { requestId: 'r1' },
          'agreed',
        ));
        for (const [user, seq] of [
          ['dr-chen', approvedSeq],
          ['dr-baker', requestedSeq],
        ] as const) {
          const voided = await markInError(user, id, {
            seq,
            rationale: 'wrong patient',
            expectedVersion: version,
          });
          expect([voided.status, voided.body]).toEqual([
            201,
            expect.anything(),
          ]);
          version = voided.body.version;
        }
        const askedAgain = (version = await record(
          'dr-diaz',
          id,
          version,
          'escalation.requested',
          request,
          'asked again, for this patient',
        ));
        const report = await as('auditor-ames').request(
          'GET',
          '/api/escalations',
        );
        const rows = (
          report.body as { episodeId: string; seq: number }[]
        ).filter((row) => row.episodeId === id);
        expect(rows).toMatchObject([
          { seq: requestedSeq, requestedBy: 'dr-baker', drug: 'etoposide' },
          {
            seq: approvedSeq,
            decision: 'approved',
            decidedBy: 'dr-chen',
            requestedBy: 'dr-baker',
            drug: 'etoposide',
            enteredInError: { actorId: 'dr-chen' },
          },
          {
            seq: askedAgain,
            requestedBy: 'dr-diaz',
            drug: 'etoposide',
            enteredInError: null,
          },
        ]);
        const csv = await as('auditor-ames').request(
          'GET',
          '/api/escalations?format=csv',
        );
        const approvedLine = (csv.body as string)
          .split('\n')
          .find(
            (line) => line.startsWith(`${id},`) && line.includes(',approved,'),
          );
        expect(approvedLine).toContain('etoposide');
        expect(approvedLine).toContain('dr-baker');
      },
    );

    maybe(
      'training: a therapy start entered in error never treated the virtual patient: after 48 h its labs and debrief are those of a run where it was never started (same scenario and seed)',
      async () => {
        const trainee = as('trainee-tan');
        async function session(withVoidedStart: boolean) {
          const started = await trainee.request(
            'POST',
            '/api/training/episodes',
            {
              scenarioId: 'infection-triggered',
              seed: 47,
            },
          );
          expect(started.status).toBe(201);
          const id = started.body.episodeId as string;
          let version = 0;
          const send = async (type: string, payload: unknown) => {
            const sent = await trainee.request(
              'POST',
              `/api/episodes/${id}/events`,
              { type, payload, expectedVersion: version },
            );
            expect([sent.status, sent.body]).toEqual([201, expect.anything()]);
            version = sent.body.version;
            return version;
          };
          await send('labs.recorded', labs(started.body.labs, now()));
          await send('diagnosis.confirmed', { basis: 'criteria' });
          if (withVoidedStart) {
            const seq = await send(
              'therapy.started',
              therapy('methylprednisolone', now()),
            );
            const voided = await trainee.request(
              'POST',
              `/api/episodes/${id}/entered-in-error`,
              {
                seq,
                rationale: 'started on the wrong patient',
                expectedVersion: version,
              },
            );
            expect([voided.status, voided.body]).toEqual([
              201,
              expect.anything(),
            ]);
          }
          const later = await trainee.request(
            'POST',
            `/api/training/episodes/${id}/advance`,
            { hours: 48 },
          );
          expect(later.status).toBe(200);
          const debrief = await trainee.request(
            'GET',
            `/api/training/episodes/${id}/debrief`,
          );
          expect(debrief.status).toBe(200);
          return { state: later.body, debrief: debrief.body };
        }
        const voided = await session(true);
        const never = await session(false);
        expect(voided.state.virtualHours).toBe(48);
        expect(voided.state.labs).toEqual(never.state.labs);
        expect(voided.state.alive).toBe(never.state.alive);
        expect(voided.debrief.trainee).toEqual(never.debrief.trainee);
      },
    );

    maybe(
      'FHIR in: a panel the ward marked entered in error is recorded again when sent again as final; withdrawn by the laboratory, it is already corrected (no "tell the ward")',
      async () => {
        const { id } = await open('SYN-VR-FHIR');
        suite.harness.clock.advance(2 * 3_600_000);
        const collectedAt = new Date(
          suite.harness.clock.now().getTime() - 3_600_000,
        ).toISOString();
        const ferritin = (status: string) => ({
          resourceType: 'Observation',
          identifier: [{ system: 'urn:oid:2.999.1', value: 'LAB-VR-1' }],
          status,
          category: [
            {
              coding: [
                {
                  system:
                    'http://terminology.hl7.org/CodeSystem/observation-category',
                  code: 'laboratory',
                },
              ],
            },
          ],
          code: { coding: [{ system: 'http://loinc.org', code: '2276-4' }] },
          effectiveDateTime: collectedAt,
          valueQuantity: {
            value: 12_000,
            unit: 'ng/mL',
            system: 'http://unitsofmeasure.org',
            code: 'ng/mL',
          },
        });
        const send = (status: string) =>
          as('dr-adams').request(
            'POST',
            `/api/episodes/${id}/fhir`,
            JSON.stringify(ferritin(status)),
            { 'content-type': 'application/fhir+json' },
          );
        const first = await send('final');
        expect([first.status, first.body]).toMatchObject([
          201,
          { recorded: [{ collectedAt }] },
        ]);
        const seq = first.body.version as number;
        const voided = await markInError('dr-adams', id, {
          seq,
          rationale: 'sample from another patient',
          expectedVersion: seq,
        });
        expect(voided.status).toBe(201);

        // Withdrawn by the laboratory after the ward voided it: corrected.
        const withdrawn = await send('entered-in-error');
        expect([withdrawn.status, withdrawn.body]).toEqual([
          200,
          {
            recorded: [],
            observations: 0,
            duplicates: 0,
            alreadyCorrected: 1,
            ignored: 0,
            version: voided.body.version,
          },
        ]);
        // Sent again as final: recorded again (no panel in force holds it).
        const again = await send('final');
        expect([again.status, again.body]).toMatchObject([
          201,
          { recorded: [{ collectedAt }], duplicates: 0, alreadyCorrected: 0 },
        ]);
        // Now in force again: withdrawn, refused and the ward told, as before.
        const told = await send('entered-in-error');
        expect(told.status).toBe(400);
        expect(JSON.stringify(told.body)).toContain('tell the ward');
      },
    );

    maybe(
      'a refused void is kept with the refused events (403 role, 409 stale, 422 dependent, 422 already voided), naming the entry; an auditor sees them',
      async () => {
        const { id } = await open('SYN-VR-REFUSED');
        let version = await record(
          'dr-adams',
          id,
          0,
          'labs.recorded',
          labs(florid, now()),
        );
        const startSeq = (version = await record(
          'dr-adams',
          id,
          version,
          'therapy.started',
          therapy('methylprednisolone', now()),
        ));
        version = await record('dr-adams', id, version, 'severity.assessed', {
          severe: true,
          rapidlyWorsening: true,
        });
        const requestSeq = (version = await record(
          'dr-baker',
          id,
          version,
          'escalation.requested',
          {
            requestId: 'r1',
            drug: 'etoposide',
            evidence: ['seed.refractory.3'],
          },
          'worsening on steroids',
        ));
        const stopSeq = (version = await record(
          'dr-adams',
          id,
          version,
          'therapy.stopped',
          { drug: 'methylprednisolone' },
        ));
        const refusals = async () =>
          (
            await as('auditor-ames').request(
              'GET',
              `/api/episodes/${id}/refusals`,
            )
          ).body as {
            type: string;
            actor: { id: string; role: string };
            reason: string;
            payload: unknown;
          }[];
        expect(await refusals()).toEqual([]);

        // A clinician does not void a senior's request (403).
        const notTheirs = await markInError('dr-adams', id, {
          seq: requestSeq,
          rationale: 'not asked for',
          expectedVersion: version,
        });
        expect(notTheirs.status).toBe(403);
        const stale = await markInError('dr-adams', id, {
          seq: stopSeq,
          rationale: 'wrong course',
          expectedVersion: version - 1,
        });
        expect(stale.status).toBe(409);
        const dependent = await markInError('dr-adams', id, {
          seq: startSeq,
          rationale: 'wrong drug',
          expectedVersion: version,
        });
        expect([dependent.status, dependent.body.dependentSeq]).toEqual([
          422,
          stopSeq,
        ]);
        const voided = await markInError('dr-adams', id, {
          seq: stopSeq,
          rationale: 'wrong course',
          expectedVersion: version,
        });
        expect(voided.status).toBe(201);
        const twice = await markInError('dr-adams', id, {
          seq: stopSeq,
          rationale: 'wrong course',
          expectedVersion: voided.body.version,
        });
        expect(twice.status).toBe(422);

        const kept = await refusals();
        expect(kept).toMatchObject([
          {
            type: 'entry.voided',
            actor: { id: 'dr-adams', role: 'clinician' },
            payload: { seq: requestSeq },
            reason: expect.stringMatching(/^403: /),
          },
          {
            type: 'entry.voided',
            actor: { id: 'dr-adams', role: 'clinician' },
            payload: { seq: stopSeq },
            reason: expect.stringContaining('is stale'),
          },
          {
            type: 'entry.voided',
            payload: { seq: startSeq },
            reason: expect.stringContaining(
              `Mark entry ${String(stopSeq)} (Stop methylprednisolone) entered in error first`,
            ),
          },
          {
            type: 'entry.voided',
            payload: { seq: stopSeq },
            reason: expect.stringContaining('already marked entered in error'),
          },
        ]);
        expect(kept).toHaveLength(4);
        // Chained and authenticated as any refusal: the audit verifies.
        const own = await as('auditor-ames').request(
          'GET',
          `/api/episodes/${id}/audit/verify`,
        );
        expect(own.body).toMatchObject({ ok: true, problems: [] });
      },
    );

    maybe(
      'an entry whose stored payload was tampered with is answered 422 naming it, never a 500',
      async () => {
        const { id } = await open('SYN-VR-TAMPERED');
        const v1 = await record(
          'dr-adams',
          id,
          0,
          'labs.recorded',
          labs(florid, now()),
        );
        await suite.harness.query(
          'UPDATE audit_entries SET payload = ? WHERE episode_id = ? AND seq = 1',
          ['{"panel": {not json', id],
        );
        const answer = await markInError('dr-adams', id, {
          seq: 1,
          rationale: 'wrong patient',
          expectedVersion: v1,
        });
        expect([answer.status, answer.body.field]).toEqual([422, 'body.seq']);
        expect(answer.body.message).toContain('entry 1 cannot be read');
        // (The episode is left out of the whole audit's verification again.)
        for (const table of [
          'audit_entries',
          'work_items',
          'rejected_attempts',
        ]) {
          await suite.harness.query(
            `DELETE FROM ${table} WHERE episode_id = ?`,
            [id],
          );
        }
        await suite.harness.query('DELETE FROM episodes WHERE id = ?', [id]);
      },
    );
  },
);
