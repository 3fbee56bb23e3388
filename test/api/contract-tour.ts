/**
 * A tour of every route of the service, as its users would take it: each
 * role signs in, opens, records, reads, audits and administers, and each
 * refusal a route can give is provoked once (400, 401, 403, 404, 409, 413,
 * 415, 422). The contract suite checks every answer of the tour against the
 * OpenAPI document the service publishes.
 */
import { amira, floridMas, panelOf } from '@mas/testing';

import {
  Api,
  type Exchange,
  type Harness,
  PASSWORD,
  T0,
} from './api-harness.js';
import { labs, therapy } from './clinical-records.js';

function expectStatus(
  answer: { status: number; body: unknown },
  status: number,
  what: string,
): void {
  if (answer.status !== status) {
    throw new Error(
      `${what}: expected ${String(status)}, got ${String(answer.status)} ${JSON.stringify(answer.body)}`,
    );
  }
}

/**
 * Takes the tour on a running service: `harness` moves its clock. Returns
 * every exchange, in order.
 */
export async function takeTour(harness: Harness): Promise<Exchange[]> {
  const seen: Exchange[] = [];
  const api = new Api(harness.service.url, undefined, (exchange) =>
    seen.push(exchange),
  );
  const users = [
    ['dr-adams', 'clinician'],
    ['dr-baker', 'senior'],
    ['dr-chen', 'senior'],
    ['trainee-tan', 'trainee'],
    ['auditor-ames', 'auditor'],
    ['admin-ada', 'admin'],
  ] as const;
  const tokens: Record<string, string> = {};
  for (const [username, role] of users) {
    await harness.service.users.create(username, PASSWORD, role);
    const login = await api.request('POST', '/api/auth/login', {
      username,
      password: PASSWORD,
    });
    expectStatus(login, 200, `login ${username}`);
    tokens[username] = login.body.token;
  }
  const as = (user: string) => api.as(tokens[user] ?? '');
  const now = () => harness.clock.now().toISOString();

  // Public routes, and what they refuse.
  expectStatus(await api.request('GET', '/api/health'), 200, 'health');
  expectStatus(
    await api.request('GET', '/api/auth/providers'),
    200,
    'providers',
  );
  expectStatus(
    await api.request('GET', '/api/auth/oidc/login'),
    404,
    'oidc login without a provider',
  );
  expectStatus(
    await api.request('GET', '/api/auth/oidc/callback'),
    404,
    'oidc callback without a provider',
  );
  expectStatus(
    await api.request('POST', '/api/auth/login', { username: 'x' }),
    400,
    'login without a password',
  );
  expectStatus(
    await api.request('POST', '/api/auth/login', {
      username: 'dr-adams',
      password: 'wrong',
    }),
    401,
    'wrong password',
  );
  expectStatus(
    await api.request('POST', '/api/auth/login', 'username=x', {
      'content-type': 'text/plain',
    }),
    415,
    'login as text',
  );
  expectStatus(
    await api.request('POST', '/api/auth/login', {
      username: 'x'.repeat(2_000_000),
      password: 'y',
    }),
    413,
    'a body over the limit',
  );
  expectStatus(
    await as('dr-adams').request('GET', '/api/auth/session'),
    200,
    'session',
  );
  expectStatus(await api.request('GET', '/api/episodes'), 401, 'no token');
  // A browser session: the cookie and CSRF token.
  const browser = await api.request(
    'POST',
    '/api/auth/login',
    { username: 'dr-baker', password: PASSWORD },
    { 'x-mas-session': 'cookie' },
  );
  expectStatus(browser, 200, 'browser login');

  // An episode's course.
  const created = await as('dr-adams').request('POST', '/api/episodes', {
    patient: amira,
    ward: 'PICU',
  });
  expectStatus(created, 201, 'open an episode');
  const id = created.body.id as string;
  expectStatus(
    await as('dr-adams').request('POST', '/api/episodes', {
      patient: { ...amira, weightKg: 250 },
    }),
    422,
    'an unusual weight unconfirmed',
  );
  expectStatus(
    await as('dr-adams').request('POST', '/api/episodes', {
      patient: { ...amira, weightKg: -1 },
    }),
    400,
    'a negative weight',
  );
  expectStatus(
    await as('auditor-ames').request('POST', '/api/episodes', {
      patient: amira,
    }),
    403,
    'an auditor opens an episode',
  );
  let version = created.body.version as number;
  const send = async (
    user: string,
    type: string,
    payload: unknown,
    extra: Record<string, unknown> = {},
  ) => {
    const answer = await as(user).request(
      'POST',
      `/api/episodes/${id}/events`,
      {
        type,
        payload,
        expectedVersion: version,
        ...extra,
      },
    );
    if (answer.status === 201 || answer.status === 200) {
      version = answer.body.version;
    }
    return answer;
  };
  expectStatus(
    await send('dr-adams', 'labs.recorded', labs(panelOf(floridMas), now())),
    201,
    'labs',
  );
  expectStatus(
    await send('dr-adams', 'diagnosis.confirmed', { basis: 'criteria' }),
    201,
    'diagnosis',
  );
  expectStatus(
    await send(
      'dr-adams',
      'therapy.started',
      therapy('methylprednisolone', now()),
    ),
    201,
    'pulse',
  );
  expectStatus(
    await as('dr-adams').request('POST', `/api/episodes/${id}/events`, {
      type: 'diagnosis.confirmed',
      payload: { basis: 'criteria' },
      expectedVersion: 0,
    }),
    409,
    'a stale version',
  );
  expectStatus(
    await send('dr-adams', 'therapy.started', { drug: 'methylprednisolone' }),
    400,
    'a therapy without its dose',
  );
  expectStatus(
    await send('dr-chen', 'escalation.approved', { requestId: 'none' }),
    422,
    'an approval of nothing',
  );
  harness.clock.advance(11 * 3_600_000);
  expectStatus(
    await send(
      'dr-baker',
      'reassessment.recorded',
      labs(panelOf(floridMas), now(), { clinicalJudgement: 'inadequate' }),
      { rationale: 'still febrile with falling platelets' },
    ),
    201,
    'reassessment',
  );
  expectStatus(
    await send(
      'dr-baker',
      'escalation.requested',
      { requestId: 'r1', drug: 'etoposide', evidence: ['seed.refractory.3'] },
      { rationale: 'refractory' },
    ),
    201,
    'escalation requested',
  );
  expectStatus(
    await send('dr-adams', 'labs.recorded', labs(panelOf(floridMas), now())),
    201,
    'a panel recorded twice',
  );
  const voided = await as('dr-adams').request(
    'POST',
    `/api/episodes/${id}/entered-in-error`,
    { seq: version, rationale: 'recorded twice', expectedVersion: version },
  );
  expectStatus(voided, 201, 'a panel entered in error');
  version = voided.body.version;
  expectStatus(
    await as('dr-adams').request(
      'POST',
      `/api/episodes/${id}/entered-in-error`,
      { seq: 1, rationale: 'wrong patient', expectedVersion: version },
    ),
    422,
    'a panel a diagnosis rests on, entered in error',
  );
  expectStatus(
    await as('dr-baker').request('POST', '/api/episodes/migrate', {
      fromVersion: '1.0.0',
      toVersion: '1.1.0',
    }),
    200,
    'bulk migration, dry run',
  );
  expectStatus(
    await as('dr-baker').request('POST', '/api/episodes/migrate', {
      fromVersion: '1.0.0',
      toVersion: '1.1.0',
      dryRun: false,
    }),
    400,
    'bulk migration without a rationale',
  );
  const migrated = await as('dr-baker').request(
    'POST',
    `/api/episodes/${id}/migrate`,
    {
      toVersion: '1.1.0',
      rationale: 'the committee deployed 1.1.0',
      expectedVersion: version,
    },
  );
  expectStatus(migrated, 201, 'migrated to protocol 1.1.0');
  version = migrated.body.version;
  expectStatus(
    await as('dr-baker').request('POST', `/api/episodes/${id}/migrate`, {
      toVersion: '1.0.0',
      rationale: 'back',
      expectedVersion: version,
    }),
    422,
    'no proven plan back to 1.0.0',
  );

  // Reads.
  for (const path of [
    '/api/episodes',
    `/api/episodes/${id}`,
    `/api/episodes/${id}/state?at=${encodeURIComponent(T0)}`,
    `/api/episodes/${id}/audit`,
    `/api/episodes/${id}/work-items`,
    `/api/episodes/${id}/audit/verify`,
    `/api/episodes/${id}/refusals`,
    '/api/work-items',
    '/api/protocol',
    '/api/protocol/versions',
    '/api/protocol/diff?from=1.0.0&to=1.1.0',
    '/api/escalations',
    '/api/escalations?format=csv',
    '/api/audit/verify',
  ]) {
    expectStatus(await as('dr-chen').request('GET', path), 200, path);
  }
  expectStatus(
    await as('trainee-tan').request(
      'GET',
      '/api/protocol/diff?from=1.0.0&to=9.9.9',
    ),
    400,
    'a diff to an unknown protocol version',
  );
  // CDS Hooks, not configured here (the CDS suite configures an EHR).
  expectStatus(await api.request('GET', '/cds-services'), 404, 'CDS discovery');
  expectStatus(
    await api.request('POST', '/cds-services/mas-patient-view', {}),
    404,
    'CDS call',
  );
  expectStatus(
    await api.request('POST', '/cds-services/mas-patient-view/feedback', {}),
    404,
    'CDS feedback',
  );

  // FHIR R4.
  expectStatus(
    await api.request('GET', '/api/fhir/R4/metadata'),
    200,
    'FHIR metadata',
  );
  for (const path of [
    `/api/fhir/R4/Patient/${id}`,
    `/api/fhir/R4/Observation?patient=Patient/${id}`,
    `/api/fhir/R4/EpisodeOfCare/${id}/$everything`,
  ]) {
    expectStatus(await as('dr-chen').request('GET', path), 200, path);
  }
  // $everything in pages: the next page, a bad _count, and a next link
  // followed after the episode changed.
  const firstPage = await as('dr-chen').request(
    'GET',
    `/api/fhir/R4/Patient/${id}/$everything?_count=2`,
  );
  expectStatus(firstPage, 200, '$everything, a first page of 2');
  const next = (
    firstPage.body.link as { relation: string; url: string }[]
  ).find((link) => link.relation === 'next')?.url;
  if (next === undefined) throw new Error('$everything: no next link');
  const nextPath = new URL(next).pathname + new URL(next).search;
  expectStatus(
    await as('dr-chen').request('GET', nextPath),
    200,
    '$everything, the next page',
  );
  expectStatus(
    await as('dr-chen').request(
      'GET',
      `/api/fhir/R4/Patient/${id}/$everything?_count=0`,
    ),
    400,
    '$everything, _count=0',
  );
  expectStatus(
    await as('dr-adams').request(
      'POST',
      `/api/episodes/${id}/fhir`,
      JSON.stringify({
        resourceType: 'Observation',
        identifier: [{ system: 'urn:oid:2.999.1', value: 'TOUR-1' }],
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '1988-5' }] },
        effectiveDateTime: now(),
        valueQuantity: {
          value: 80,
          unit: 'mg/L',
          system: 'http://unitsofmeasure.org',
          code: 'mg/L',
        },
      }),
      { 'content-type': 'application/fhir+json' },
    ),
    201,
    'FHIR in: one Observation',
  );
  version += 1;
  expectStatus(
    await as('dr-chen').request('GET', nextPath),
    409,
    '$everything, a next link followed after the episode changed',
  );
  expectStatus(
    await as('dr-adams').request('POST', `/api/episodes/${id}/fhir`, {
      resourceType: 'Observation',
      status: 'final',
    }),
    400,
    'FHIR in: an Observation without a code',
  );
  expectStatus(
    await as('dr-chen').request('GET', '/api/fhir/R4/Observation'),
    400,
    'a FHIR search without its patient',
  );
  expectStatus(
    await as('dr-chen').request('GET', `/api/fhir/R4/Encounter/${id}`),
    404,
    'a FHIR type not served',
  );
  expectStatus(
    await as('dr-chen').request('GET', '/api/episodes?pageSize=1000'),
    400,
    'a page too large',
  );
  expectStatus(
    await as('dr-chen').request(
      'GET',
      '/api/episodes/00000000-0000-4000-8000-000000000000',
    ),
    404,
    'an unknown episode',
  );
  expectStatus(
    await as('dr-chen').request(
      'GET',
      `/api/episodes/${id}/state?at=yesterday`,
    ),
    400,
    'a bad instant',
  );
  expectStatus(
    await as('auditor-ames').request('GET', '/api/audit/access'),
    200,
    'access log',
  );
  expectStatus(
    await as('auditor-ames').request('GET', '/api/audit/checkpoint'),
    200,
    'checkpoint',
  );
  expectStatus(
    await as('dr-adams').request('GET', '/api/audit/access'),
    403,
    'a clinician reads the access log',
  );
  for (const path of [
    '/api/analytics',
    '/api/analytics?from=2026-03&to=2026-03&version=1.0.0&format=csv',
    '/api/analytics/simulated?policy=delay&runs=1&seed=3',
  ]) {
    expectStatus(await as('auditor-ames').request('GET', path), 200, path);
  }

  // The live board's stream: its headers, then the reader leaves.
  const leave = new AbortController();
  const stream = await fetch(`${harness.service.url}/api/changes`, {
    headers: { authorization: `Bearer ${tokens['dr-chen'] ?? ''}` },
    signal: leave.signal,
  });
  seen.push({
    method: 'GET',
    path: '/api/changes',
    status: stream.status,
    contentType: stream.headers.get('content-type') ?? '',
    body: undefined,
    requestHeaders: {},
  });
  leave.abort();
  expectStatus({ status: stream.status, body: '' }, 200, 'change stream');

  // Training.
  const scenarios = await as('trainee-tan').request(
    'GET',
    '/api/training/scenarios',
  );
  expectStatus(scenarios, 200, 'scenarios');
  const started = await as('trainee-tan').request(
    'POST',
    '/api/training/episodes',
    { scenarioId: scenarios.body.scenarios[0].id, seed: 7 },
  );
  expectStatus(started, 201, 'training started');
  const trainingId = started.body.episodeId as string;
  expectStatus(
    await as('trainee-tan').request(
      'GET',
      `/api/training/episodes/${trainingId}`,
    ),
    200,
    'training state',
  );
  expectStatus(
    await as('trainee-tan').request(
      'POST',
      `/api/training/episodes/${trainingId}/advance`,
      { hours: 6 },
    ),
    200,
    'training advanced',
  );
  expectStatus(
    await as('trainee-tan').request(
      'POST',
      `/api/training/episodes/${trainingId}/advance`,
      { hours: 0 },
    ),
    400,
    'an advance of no time',
  );
  expectStatus(
    await as('trainee-tan').request(
      'GET',
      `/api/training/episodes/${trainingId}/debrief`,
    ),
    200,
    'debrief',
  );
  expectStatus(
    await as('trainee-tan').request('GET', `/api/episodes/${id}`),
    404,
    'a trainee reads a real episode (answered as one that does not exist)',
  );

  // User administration.
  expectStatus(
    await as('admin-ada').request('GET', '/api/users'),
    200,
    'users',
  );
  const made = await as('admin-ada').request('POST', '/api/users', {
    username: 'dr-new',
    password: 'a long enough passphrase',
    role: 'clinician',
  });
  expectStatus(made, 201, 'user created');
  expectStatus(
    await as('admin-ada').request('POST', '/api/users', {
      username: 'dr-new',
      password: 'a long enough passphrase',
      role: 'clinician',
    }),
    409,
    'a username taken',
  );
  expectStatus(
    await as('admin-ada').request('PATCH', `/api/users/${made.body.id}`, {
      role: 'senior',
    }),
    200,
    'role changed',
  );
  expectStatus(
    await as('admin-ada').request('PATCH', `/api/users/${made.body.id}`, {}),
    400,
    'a change of nothing',
  );
  expectStatus(
    await as('admin-ada').request(
      'POST',
      `/api/users/${made.body.id}/password`,
      {
        password: 'another long passphrase',
      },
    ),
    201,
    'password reset',
  );

  // Own password, sign-out.
  expectStatus(
    await as('dr-adams').request('POST', '/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'velvet orbit lantern 41',
    }),
    200,
    'password changed',
  );
  expectStatus(
    await as('dr-chen').request('POST', '/api/auth/logout'),
    204,
    'logout',
  );
  expectStatus(
    await as('dr-baker').request('POST', '/api/auth/logout-everywhere'),
    204,
    'logout everywhere',
  );
  return seen;
}
