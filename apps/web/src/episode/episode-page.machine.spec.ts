/**
 * @jest-environment node
 */
import { describe, expect, it } from '@jest/globals';
import { createActor, waitFor } from 'xstate';

import { ApiClient } from '../api/client.js';
import type { AuditEntry } from '../api/types.js';
import { pinnedRelease } from '../testing/protocol-release.testing.js';
import { episodePageMachine, type Submission } from './episode-page.machine.js';

const id = '00000000-0000-4000-8000-000000000001';

function entry(seq: number, type: string, actorId: string): AuditEntry {
  return {
    id: `entry-${seq}`,
    episodeId: id,
    seq,
    type,
    payload: {},
    actorId,
    actorRole: 'clinician',
    occurredAt: '2026-03-01T08:00:00.000Z',
    recordedAt: '2026-03-01T08:00:00.000Z',
    rationale: null,
    evidence: [],
    guard: { outcome: 'allowed', reason: '' },
    stateBefore: {},
    stateAfter: {},
    protocolHash: 'sha256:protocol',
    protocolRelease: pinnedRelease,
    profileHash: 'sha256:profile',
    hash: `h${seq}`,
    prevHash: `h${seq - 1}`,
  };
}

/** A scripted service: the episode at `version`, and the answer to a POST. */
function service(
  script: {
    versions: number[];
    post: { status: number; body: unknown };
  },
  /** Sees each request (its URL and options) before it is answered. */
  observe?: (url: string, init?: RequestInit) => void,
) {
  let loads = 0;
  const fetcher = (input: string, init?: RequestInit) => {
    observe?.(input, init);
    const url = input;
    const json = (status: number, body: unknown) =>
      Promise.resolve(
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
      );
    if (init?.method === 'POST')
      return json(script.post.status, script.post.body);
    if (url.endsWith('/audit/verify'))
      return json(200, { ok: true, entries: 1, broken: null });
    const version =
      script.versions[Math.min(loads, script.versions.length - 1)] ?? 0;
    if (url.endsWith('/audit')) {
      return json(
        200,
        Array.from({ length: version }, (_, i) =>
          entry(
            i + 1,
            i === version - 1 ? 'therapy.started' : 'labs.recorded',
            i === version - 1 ? 'dr-baker' : 'dr-adams',
          ),
        ),
      );
    }
    loads += 1;
    return json(200, {
      id,
      kind: 'real',
      version,
      stage: 'suspected',
      nextDueAt: null,
      allowed: [],
      blocked: [],
      snapshot: {},
      initialSnapshot: {},
    });
  };
  return new ApiClient(
    { csrf: 'c', username: 'dr-adams', role: 'clinician' },
    fetcher as unknown as typeof fetch,
  );
}

const labs: Submission = {
  type: 'labs.recorded',
  payload: { panel: {}, collectedAt: '2026-03-01T08:00:00.000Z' },
};

async function sendOnce(api: ApiClient, submission: Submission = labs) {
  const actor = createActor(episodePageMachine, { input: { api, id } });
  actor.start();
  await waitFor(actor, (s) => s.matches('ready'));
  actor.send({ type: 'SEND', submission });
  await waitFor(actor, (s) => s.matches('sending'));
  const after = await waitFor(actor, (s) => s.matches('ready'));
  actor.stop();
  return after.context;
}

describe('the episode page flow', () => {
  it("201 with a warning (a day's total): recorded, and the warning kept for the banner", async () => {
    const warning =
      'daily total warning, not a block: methylprednisolone 4250 mg in one day (4 doses under this record and 3 other records) is above the hard limit of 2250 mg per day';
    const context = await sendOnce(
      service({
        versions: [1, 2],
        post: { status: 201, body: { id, version: 2, warnings: [warning] } },
      }),
    );
    expect(context.feedback).toEqual({
      kind: 'recorded',
      message: 'Recorded.',
      warnings: [warning],
    });
    // Without one: recorded, nothing else.
    const plain = await sendOnce(
      service({
        versions: [1, 2],
        post: { status: 201, body: { id, version: 2 } },
      }),
    );
    expect(plain.feedback).toEqual({ kind: 'recorded', message: 'Recorded.' });
  });

  it('409: reloads, says someone else changed the episode, and lists what changed', async () => {
    const context = await sendOnce(
      service({
        versions: [1, 2],
        post: {
          status: 409,
          body: {
            message: 'expectedVersion 1 is stale: the episode is at version 2',
            version: 2,
          },
        },
      }),
    );
    expect(context.data?.detail.version).toBe(2);
    expect(context.feedback).toMatchObject({
      kind: 'conflict',
      message: expect.stringMatching(
        /^Someone else changed this episode meanwhile: nothing of yours was recorded. Your form is kept/,
      ),
      // What was sent, for the form to open again with it.
      submission: expect.objectContaining({ type: expect.any(String) }),
      changes: [
        expect.objectContaining({
          seq: 2,
          type: 'therapy.started',
          actorId: 'dr-baker',
        }),
      ],
    });
  });

  it('409 for a record failing its seal: said as the service says it, not as a conflict to resend', async () => {
    const context = await sendOnce(
      service({
        versions: [1],
        post: {
          status: 409,
          body: {
            message:
              'the episode record does not match its seal (changed outside the service): no event is recorded on it until an auditor has checked it',
          },
        },
      }),
    );
    expect(context.feedback?.kind).toBe('error');
    expect(context.feedback?.message).toMatch(/does not match its seal/);
    expect(context.feedback?.message).not.toMatch(/Your form is kept/);
  });

  it("422: stays on the same version and gives the machine's reason in words", async () => {
    const context = await sendOnce(
      service({
        versions: [1],
        post: {
          status: 422,
          body: {
            message: 'dr-baker made this request and cannot also decide it',
          },
        },
      }),
    );
    expect(context.data?.detail.version).toBe(1);
    expect(context.feedback).toEqual({
      kind: 'refused',
      message:
        'The protocol does not allow this now: dr-baker made this request and cannot also decide it',
      submission: labs,
    });
  });

  it('422 outside a soft dose limit: says a confirmation would allow it, with what was sent', async () => {
    const therapy: Submission = {
      type: 'therapy.started',
      payload: {
        drug: 'methylprednisolone',
        dose: { value: 1500, unit: 'mg' },
        route: 'iv',
        schedule: { kind: 'pulse', day: 1, of: 3 },
        givenAt: '2026-03-01T08:00:00.000Z',
      },
    };
    const context = await sendOnce(
      service({
        versions: [1],
        post: {
          status: 422,
          body: {
            message:
              'outside the dose range, confirm with a reason (doseConfirmation): methylprednisolone 1500 mg is above the soft limit of 1000 mg per infusion',
            evidence: ['seed.initial.1'],
            type: 'therapy.started',
            confirmationWouldAllow: true,
          },
        },
      }),
      therapy,
    );
    expect(context.feedback).toMatchObject({
      kind: 'refused',
      confirmationWouldAllow: true,
      submission: therapy,
    });
  });

  it('422 on unusual lab values: names the fields to confirm', async () => {
    const context = await sendOnce(
      service({
        versions: [1],
        post: {
          status: 422,
          body: {
            message: 'unusual values, confirm each (confirmUnusual)',
            unusualFields: ['platelets'],
          },
        },
      }),
    );
    expect(context.feedback).toMatchObject({
      kind: 'refused',
      unusualFields: ['platelets'],
      submission: labs,
    });
    expect(context.feedback?.confirmationWouldAllow).toBeUndefined();
  });

  it('400: names the field the service rejected', async () => {
    const context = await sendOnce(
      service({
        versions: [1],
        post: {
          status: 400,
          body: {
            message: 'body.payload.dose: required',
            field: 'body.payload.dose',
            rule: 'required',
          },
        },
      }),
    );
    expect(context.feedback).toMatchObject({
      kind: 'invalid',
      field: 'body.payload.dose',
      rule: 'required',
      submission: labs,
    });
  });
});

describe('reloads: the user’s, or live ones sent as background requests', () => {
  it('a live reload (RELOAD background) marks its three requests as background; the first load and a user’s reload do not', async () => {
    const seen: { url: string; activity: string | undefined }[] = [];
    const api = service(
      { versions: [1, 2, 3], post: { status: 201, body: {} } },
      (url, init) => {
        const headers = (init?.headers ?? {}) as Record<string, string>;
        seen.push({ url, activity: headers['x-mas-activity'] });
      },
    );
    const actor = createActor(episodePageMachine, { input: { api, id } });
    actor.start();
    await waitFor(actor, (s) => s.matches('ready'));
    actor.send({ type: 'RELOAD', background: true });
    await waitFor(actor, (s) => s.context.data?.detail.version === 2);
    actor.send({ type: 'RELOAD' });
    await waitFor(actor, (s) => s.context.data?.detail.version === 3);
    actor.stop();
    expect(seen.map((s) => s.activity)).toEqual([
      undefined,
      undefined,
      undefined,
      'background',
      'background',
      'background',
      undefined,
      undefined,
      undefined,
    ]);
  });
});
