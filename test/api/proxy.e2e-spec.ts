/**
 * Behind a reverse proxy that terminates TLS (TRUST_PROXY): the scheme and
 * host the proxy forwards make the service's own links (FHIR's base URL
 * here); without the setting, a client's X-Forwarded-* headers are ignored,
 * so nobody can make the service name another host. Engine-independent:
 * SQLite only.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { type Harness, startHarness } from './api-harness.js';

const forwarded = {
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'mas.hospital.example',
  'x-forwarded-for': '203.0.113.7',
};

async function fhirBase(harness: Harness): Promise<string> {
  const answer = await fetch(`${harness.service.url}/api/fhir/R4/metadata`, {
    headers: forwarded,
  });
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { implementation: { url: string } };
  return body.implementation.url;
}

describe('X-Forwarded-* headers', () => {
  let trusting: Harness;
  let plain: Harness;
  beforeAll(async () => {
    trusting = await startHarness('sqlite', {
      env: { TRUST_PROXY: '127.0.0.1, ::1' },
    });
    plain = await startHarness('sqlite');
  }, 60_000);
  afterAll(async () => {
    await trusting.close();
    await plain.close();
  });

  it('from a proxy the configuration trusts: the links use the scheme and host it forwarded', async () => {
    expect(await fhirBase(trusting)).toBe(
      'https://mas.hospital.example/api/fhir/R4',
    );
  });

  it('without TRUST_PROXY: ignored, the links name the address reached', async () => {
    expect(await fhirBase(plain)).toBe(`${plain.service.url}/api/fhir/R4`);
  });
});
