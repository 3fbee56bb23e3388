import { describe, expect, it } from '@jest/globals';

import { ManualClock } from '../clock/clock.js';
import {
  type AuthenticatedUser,
  SEAL_BROKEN,
  ServiceError,
} from '../episodes/episodes.service.js';
import { FhirService } from './fhir.service.js';

const id = '6f1c2d3e-0000-4000-8000-000000000001';
const user: AuthenticatedUser = {
  username: 'dr-adams',
  role: 'clinician',
} as AuthenticatedUser;
const now = new Date('2026-03-01T12:00:00.000Z');

/** Ferritin at two sample times: two events. */
const bundle = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: ['2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z'].map((at, n) => ({
    resource: {
      resourceType: 'Observation',
      identifier: [{ system: 'urn:lab', value: `LAB-${String(n)}` }],
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2276-4' }] },
      effectiveDateTime: at,
      valueQuantity: {
        value: 12_000,
        unit: 'ng/mL',
        system: 'http://unitsofmeasure.org',
        code: 'ng/mL',
      },
    },
  })),
};

/**
 * The import over an episode service whose second write fails as `second`
 * says (the episode service itself is tested over HTTP; here, what the
 * import makes of its answers).
 */
function importWith(second: () => never) {
  let sends = 0;
  const episodes = {
    get: () =>
      Promise.resolve({
        id,
        kind: 'real',
        version: 3,
        patient: { identifier: 'SYN-AMIRA-7' },
        context: { openedAt: '2026-03-01T08:00:00.000Z' },
      }),
    audit: () => Promise.resolve([]),
    send: () => {
      sends += 1;
      if (sends === 2) second();
      return Promise.resolve({ status: 201, body: { version: 3 + sends } });
    },
  };
  const service = new FhirService(
    episodes as never,
    {} as never,
    {} as never,
    new ManualClock(now),
  );
  return service.importLabs(id, bundle, user);
}

describe('FHIR in: a Bundle of several samples written one event each', () => {
  it('another change between two samples: a 409 saying what was recorded and to send the same Bundle again', async () => {
    const answer = await importWith(() => {
      throw new ServiceError(409, {
        message: 'expectedVersion 4 is stale: the episode is at version 5',
        version: 5,
      });
    });
    expect(answer).toEqual({
      status: 409,
      body: {
        message:
          'another change to this episode was recorded while the Bundle was being recorded: 1 of its 2 samples are recorded; send the same Bundle again (the results already recorded are recognised and left out)',
        recorded: [{ collectedAt: '2026-03-01T10:00:00.000Z', version: 4 }],
      },
    });
  });

  it('a record failing its seal is not a race: the refusal goes on as it is', async () => {
    const broken = new ServiceError(409, {
      message: 'the episode record does not match its seal',
      rule: SEAL_BROKEN,
    });
    await expect(
      importWith(() => {
        throw broken;
      }),
    ).rejects.toBe(broken);
  });
});
