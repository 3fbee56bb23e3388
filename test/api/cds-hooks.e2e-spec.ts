/**
 * CDS Hooks 2.0 over real HTTP on both engines, with an EHR whose key pair
 * the test makes (ES384, as the specification recommends): discovery,
 * patient-view cards for what is due and the open alerts, order-sign cards
 * saying whether a drug may start now and why, the JWT checks (signature,
 * issuer, audience, age, replay), and feedback in the access log.
 */
import { randomUUID } from 'node:crypto';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

import {
  cdsHooksSpecDir,
  checkCdsHooks,
  codesStatedBySpecification,
  loadCdsHooksModels,
} from '@mas/e2e-support';

import {
  ENGINES,
  postgresRequirement,
  type Requirement,
  signedInSuite,
} from './api-harness.js';
import { openTreatedEpisode } from './clinical-records.js';

const requirement: Requirement = await postgresRequirement();

/** The specification's logical models (its FSH sources, read by SUSHI). */
const models = loadCdsHooksModels();

/** One of the specification's published examples, as published. */
function specExample(name: string): Record<string, any> {
  return JSON.parse(
    readFileSync(join(cdsHooksSpecDir, 'examples', `${name}.json`), 'utf8'),
  ) as Record<string, any>;
}

/** Every finding of a body against a model of the specification, as text. */
const findings = (model: string, body: unknown): string[] =>
  checkCdsHooks(models, model, body).map(
    (f) => `${f.at || '(root)'} ${f.rule}: ${f.message}`,
  );

describe("the CDS Hooks 2.0 specification's own models and examples", () => {
  it('its published examples conform to its models, but for the one it gets wrong; each kind of violation is caught', () => {
    expect([...models.models.keys()]).toEqual(
      expect.arrayContaining([
        'CDSHooksServices',
        'CDSHooksRequest',
        'CDSHooksResponse',
        'CDSHooksFeedback',
      ]),
    );
    expect(models.invariants.size).toBeGreaterThanOrEqual(12);
    for (const invariant of models.invariants.values()) {
      expect(invariant.expression).not.toBe('');
    }
    // The bound value sets' codes are the ones the definitions state.
    const bindings = codesStatedBySpecification(models);
    expect(bindings.length).toBeGreaterThanOrEqual(4);
    expect(bindings.filter((b) => !b.stated)).toEqual([]);

    const modelOf: Record<string, string> = {
      discovery: 'CDSHooksServices',
      request: 'CDSHooksRequest',
      response: 'CDSHooksResponse',
      feedback: 'CDSHooksFeedback',
    };
    const examples = readdirSync(join(cdsHooksSpecDir, 'examples')).map(
      (file) => file.replace(/\.json$/, ''),
    );
    expect(examples.length).toBeGreaterThanOrEqual(12);
    const found = Object.fromEntries(
      examples.map((name) => [
        name,
        findings(
          modelOf[name.split('-')[0] ?? ''] ?? 'none',
          specExample(name),
        ),
      ]),
    );
    // The specification's own card without an indicator, which its model
    // requires (1..1): a slip of the example, kept as published.
    expect(found).toEqual(
      Object.fromEntries(
        examples.map((name) => [
          name,
          name === 'response-autolaunchable-link'
            ? ['cards[0].indicator cardinality: required (1..1)']
            : [],
        ]),
      ),
    );

    // Planted violations, one of each kind the models state.
    const card = specExample('response-cards').cards[0];
    const planted: [string, unknown, string][] = [
      ['CDSHooksResponse', {}, 'cards json-empty-behavior'],
      [
        'CDSHooksResponse',
        { cards: [{ ...card, summary: undefined }] },
        'cards[0].summary cardinality',
      ],
      [
        'CDSHooksResponse',
        { cards: [{ ...card, indicator: 'urgent' }] },
        'cards[0].indicator http://hl7.org/fhir/tools/ValueSet/CDSIndicator',
      ],
      [
        'CDSHooksResponse',
        { cards: [{ ...card, colour: 'red' }] },
        'cards[0].colour unknown element',
      ],
      [
        'CDSHooksResponse',
        {
          cards: [
            {
              ...card,
              links: [
                {
                  label: 'x',
                  url: 'https://x.example',
                  type: 'absolute',
                  appContext: '{}',
                },
              ],
            },
          ],
        },
        'cards[0].links[0] cds-resp-3',
      ],
      [
        'CDSHooksResponse',
        { cards: [{ ...card, overrideReasons: [{ code: 'no-display' }] }] },
        'cards[0].overrideReasons[0] cds-resp-4',
      ],
      [
        'CDSHooksResponse',
        {
          cards: [
            {
              ...card,
              suggestions: [
                {
                  label: 'Do it',
                  actions: [{ type: 'create', description: 'x' }],
                },
              ],
            },
          ],
        },
        'cards[0] cds-resp-6',
      ],
      [
        'CDSHooksFeedback',
        {
          feedback: [
            {
              card: card.uuid,
              outcome: 'accepted',
              outcomeTimestamp: '2026-12-05T10:00:00Z',
            },
          ],
        },
        'feedback[0] cds-fb-2',
      ],
      [
        'CDSHooksFeedback',
        {
          feedback: [
            {
              card: card.uuid,
              outcome: 'overridden',
              outcomeTimestamp: '2026-12-05T10:00:00',
            },
          ],
        },
        'feedback[0].outcomeTimestamp type',
      ],
      [
        'CDSHooksRequest',
        { ...specExample('request-patient-view'), fhirServer: undefined },
        '(root) cds-r-1',
      ],
      [
        'CDSHooksRequest',
        { ...specExample('request-patient-view'), hookInstance: 'call-1' },
        'hookInstance type',
      ],
      [
        'CDSHooksRequest',
        {
          ...specExample('request-patient-view'),
          fhirAuthorization: {
            ...specExample('request-patient-view').fhirAuthorization,
            token_type: 'MAC',
          },
        },
        'fhirAuthorization.token_type fixed value',
      ],
      [
        'CDSHooksServices',
        { services: [{ hook: 'patient-view', id: 'x' }] },
        'services[0].description cardinality',
      ],
    ];
    for (const [model, body, expected] of planted) {
      const seen = findings(model, JSON.parse(JSON.stringify(body)));
      expect({ expected, seen }).toEqual({
        expected,
        seen: expect.arrayContaining([expect.stringContaining(expected)]),
      });
    }
  });
});

const EHR = 'https://ehr.example.org';
const ehrKeys = await generateKeyPair('ES384');
const strangerKeys = await generateKeyPair('ES384');
const publicJwk: JWK = {
  ...(await exportJWK(ehrKeys.publicKey)),
  kid: 'ehr-1',
  alg: 'ES384',
};
const dir = mkdtempSync(join(tmpdir(), 'mas-cds-'));
const clientsFile = join(dir, 'cds-clients.json');
writeFileSync(
  clientsFile,
  JSON.stringify([{ iss: EHR, jwks: { keys: [publicJwk] } }]),
);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.each(ENGINES)('CDS Hooks on %s', (engine) => {
  const suite = signedInSuite(
    engine,
    requirement,
    [
      ['dr-adams', 'clinician'],
      ['auditor-ames', 'auditor'],
    ],
    { CDS_HOOKS_CLIENTS_FILE: clientsFile },
  );
  const base = () => suite.harness.service.url;
  const now = () => suite.harness.clock.now();

  async function jwt(
    audience: string,
    options: {
      readonly key?: (typeof ehrKeys)['privateKey'];
      readonly issuer?: string;
      readonly jti?: string;
      readonly issuedAt?: Date;
    } = {},
  ): Promise<string> {
    const issued = Math.floor((options.issuedAt ?? now()).getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES384', kid: 'ehr-1', typ: 'JWT' })
      .setIssuer(options.issuer ?? EHR)
      .setSubject('ehr-client')
      .setAudience(audience)
      .setIssuedAt(issued)
      .setExpirationTime(issued + 300)
      .setJti(options.jti ?? randomUUID())
      .sign(options.key ?? ehrKeys.privateKey);
  }

  async function hook(
    service: string,
    body: unknown,
    token?: string,
  ): Promise<{ status: number; body: any }> {
    const url = `${base()}/cds-services/${service}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token ?? (await jwt(url))}`,
      },
      body: JSON.stringify(body),
    });
    const answer = { status: response.status, body: await response.json() };
    // Every card response conforms to the specification's model.
    if (answer.status === 200) {
      expect(findings('CDSHooksResponse', answer.body)).toEqual([]);
    }
    return answer;
  }

  /** An episode in the pulse, its reassessment due, the identifier given. */
  const course = (identifier: string) =>
    openTreatedEpisode(suite.as('dr-adams'), identifier, now().toISOString());

  const request = (hookName: string, patientId: string, extra = {}) => ({
    hook: hookName,
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/ehr-77', patientId, ...extra },
  });

  /** An order-sign request for one draft MedicationRequest (of the patient). */
  const orderSign = (
    identifier: string,
    medicationCodeableConcept: unknown,
    withSubject: boolean,
  ) =>
    request('order-sign', identifier, {
      draftOrders: {
        resourceType: 'Bundle',
        entry: [
          {
            resource: {
              resourceType: 'MedicationRequest',
              status: 'draft',
              intent: 'order',
              ...(withSubject
                ? { subject: { reference: `Patient/${identifier}` } }
                : {}),
              medicationCodeableConcept,
            },
          },
        ],
      },
    });

  suite.maybe(
    'discovery lists patient-view and order-sign with their prefetch',
    async () => {
      const response = await fetch(`${base()}/cds-services`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        services: { hook: string; id: string; prefetch: object }[];
      };
      expect(body.services.map((s) => s.hook).sort()).toEqual([
        'order-sign',
        'patient-view',
      ]);
      for (const service of body.services) {
        expect(service.prefetch).toEqual({
          patient: 'Patient/{{context.patientId}}',
        });
      }
    },
  );

  suite.maybe(
    "the specification's own example requests, sent as published, are answered by the specification's models; the discovery and its feedback examples too",
    async () => {
      const discovery = await fetch(`${base()}/cds-services`);
      expect(findings('CDSHooksServices', await discovery.json())).toEqual([]);

      // The patient-view example, as published: its patient (1288992, an
      // EHR's id) has no episode here, so no card. The same request naming
      // the pseudonymous identifier of one of our episodes gets its cards.
      const viewExample = specExample('request-patient-view');
      expect(findings('CDSHooksRequest', viewExample)).toEqual([]);
      expect(await hook('mas-patient-view', viewExample)).toEqual({
        status: 200,
        body: { cards: [] },
      });
      const identifier = `SYN-CDS-${engine.toUpperCase()}-SPEC`;
      const id = await course(identifier);
      const ours = structuredClone(viewExample);
      ours.context.patientId = identifier;
      ours.hookInstance = randomUUID();
      expect(findings('CDSHooksRequest', ours)).toEqual([]);
      const viewed = await hook('mas-patient-view', ours);
      expect(viewed.status).toBe(200);
      expect(viewed.body.cards.length).toBeGreaterThan(0);
      expect(JSON.stringify(viewed.body)).toContain(id);

      // The order-sign example orders amoxicillin: no protocol drug, no
      // card. The same request ordering emapalumab gets the protocol's card.
      const signExample = specExample('request-order-sign-paged-prefetch');
      expect(findings('CDSHooksRequest', signExample)).toEqual([]);
      const amoxicillin = await hook('mas-order-sign', signExample);
      expect(amoxicillin).toEqual({ status: 200, body: { cards: [] } });
      const emapalumab = structuredClone(signExample);
      emapalumab.hookInstance = randomUUID();
      emapalumab.context.patientId = identifier;
      emapalumab.context.draftOrders.entry[0].resource.medicationCodeableConcept =
        { text: 'Emapalumab 1 mg/kg IV' };
      expect(findings('CDSHooksRequest', emapalumab)).toEqual([]);
      const signed = await hook('mas-order-sign', emapalumab);
      expect(signed.body.cards).toHaveLength(1);
      expect(signed.body.cards[0].summary).toMatch(/emapalumab/i);

      // Its feedback examples, about our card, are taken and logged.
      const feedbackUrl = `${base()}/cds-services/mas-order-sign/feedback`;
      for (const name of [
        'feedback-overridden',
        'feedback-overridden-with-reason',
        'feedback-accepted',
      ]) {
        const body = specExample(name);
        body.feedback[0].card = signed.body.cards[0].uuid;
        expect(findings('CDSHooksFeedback', body)).toEqual([]);
        const response = await fetch(feedbackUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${await jwt(feedbackUrl)}`,
          },
          body: JSON.stringify(body),
        });
        expect({ name, status: response.status }).toEqual({
          name,
          status: 200,
        });
      }
      const log = await suite
        .as('auditor-ames')
        .request('GET', `/api/audit/access?episodeId=${id}&pageSize=100`);
      const actions = (log.body.items as { action: string }[]).map(
        (item) => item.action,
      );
      expect(
        actions.filter((a) => a === 'cds.feedback.overridden'),
      ).toHaveLength(2);
      expect(actions).toContain('cds.feedback.accepted');
    },
  );

  suite.maybe(
    "patient-view: the reassessment due and the episode's open alerts, linked to the episode; another patient gets none",
    async () => {
      const identifier = `SYN-CDS-${engine.toUpperCase()}-1`;
      const id = await course(identifier);
      const viewed = await hook(
        'mas-patient-view',
        request('patient-view', identifier),
      );
      expect(viewed.status).toBe(200);
      const cards = viewed.body.cards as {
        summary: string;
        indicator: string;
        source: { label: string };
        links: { url: string }[];
      }[];
      expect(cards[0]?.summary).toMatch(/next reassessment due/);
      for (const card of cards) {
        expect(card.source.label).toMatch(/not a medical device/);
        expect(card.links[0]?.url).toContain(id);
        expect(card.summary.length).toBeLessThanOrEqual(140);
      }
      // Twelve hours on, the reassessment is overdue: critical.
      suite.harness.clock.advance(13 * 3_600_000);
      await suite.harness.service.episodes.tickDue();
      const later = await hook(
        'mas-patient-view',
        request('patient-view', identifier),
      );
      expect(
        (later.body.cards as { summary: string; indicator: string }[]).find(
          (c) => /overdue/.test(c.summary),
        ),
      ).toMatchObject({ indicator: 'critical' });

      const other = await hook(
        'mas-patient-view',
        request('patient-view', 'SYN-NOBODY-1'),
      );
      expect(other.body).toEqual({ cards: [] });

      // Matched through the prefetched Patient's identifier too.
      const prefetched = await hook('mas-patient-view', {
        ...request('patient-view', 'ehr-internal-42'),
        prefetch: {
          patient: {
            resourceType: 'Patient',
            id: 'ehr-internal-42',
            identifier: [
              {
                system: 'urn:mas-orchestrator:patient-identifier',
                value: identifier,
              },
            ],
          },
        },
      });
      expect(prefetched.body.cards.length).toBeGreaterThan(0);

      // One patient per call: the context's id naming another of this
      // service's patients beside the prefetched identifier is refused
      // (never two patients' cards in one chart), and so is a prefetched
      // identifier without the id that says it is the context's patient.
      const otherPatient = `${identifier}-OTHER`;
      await course(otherPatient);
      const ours = {
        system: 'urn:mas-orchestrator:patient-identifier',
        value: identifier,
      };
      const mixed = await hook('mas-patient-view', {
        ...request('patient-view', otherPatient),
        prefetch: {
          patient: {
            resourceType: 'Patient',
            id: otherPatient,
            identifier: [ours],
          },
        },
      });
      expect(mixed.status).toBe(400);
      expect(mixed.body.field).toBe('body.context.patientId');
      const anonymous = await hook('mas-patient-view', {
        ...request('patient-view', 'ehr-internal-42'),
        prefetch: { patient: { resourceType: 'Patient', identifier: [ours] } },
      });
      expect(anonymous.status).toBe(400);
      expect(anonymous.body.field).toBe('body.prefetch.patient.id');
    },
  );

  suite.maybe(
    "order-sign: a dose computed from a weight older than the institution's measuresValidDays says so on the card",
    async () => {
      const identifier = `SYN-CDS-${engine.toUpperCase()}-WEIGHT`;
      await course(identifier);
      const sign = async () => {
        const signed = await hook(
          'mas-order-sign',
          orderSign(identifier, { text: 'Anakinra' }, true),
        );
        expect(signed.status).toBe(200);
        return (signed.body.cards as { detail: string }[])[0]?.detail ?? '';
      };
      expect(await sign()).not.toContain('Measures:');
      // Eight days on, nobody has weighed the patient since admission.
      suite.harness.clock.advance(8 * 24 * 3_600_000);
      expect(await sign()).toMatch(
        /Measures: the weight it is computed from \(\d+ kg\) was entered at admission \(.*\), 8 days( \d+ h)? before this dose: more than the institution's 7 days/,
      );
    },
  );

  suite.maybe(
    'order-sign: emapalumab is not allowed now (why, the evidence, the dose with its cap); feedback lands in the access log',
    async () => {
      const identifier = `SYN-CDS-${engine.toUpperCase()}-2`;
      const id = await course(identifier);
      const order = (text: string, coding?: object) => ({
        resource: {
          resourceType: 'MedicationRequest',
          status: 'draft',
          intent: 'order',
          subject: { reference: `Patient/${identifier}` },
          medicationCodeableConcept: {
            ...(coding ? { coding: [coding] } : {}),
            text,
          },
        },
      });
      const signed = await hook(
        'mas-order-sign',
        request('order-sign', identifier, {
          draftOrders: {
            resourceType: 'Bundle',
            entry: [
              order('Emapalumab 1 mg/kg IV'),
              order('Paracetamol 15 mg/kg'),
              order('Anakinra', {
                system: 'http://www.whocc.no/atc',
                code: 'L04AC03',
              }),
            ],
          },
        }),
      );
      expect(signed.status).toBe(200);
      const cards = signed.body.cards as {
        uuid: string;
        summary: string;
        detail: string;
        indicator: string;
        overrideReasons?: object[];
      }[];
      // Paracetamol is not a protocol drug: no card for it.
      expect(cards).toHaveLength(2);
      const emapalumab = cards.find((c) => /emapalumab/i.test(c.summary));
      expect(emapalumab).toMatchObject({
        summary: expect.stringMatching(/not allowed now/),
        indicator: 'warning',
      });
      expect(emapalumab?.detail).toMatch(/Evidence: /);
      // Why: the protocol's own reason (no inadequate response recorded yet).
      expect(emapalumab?.detail).toMatch(/inadequate response/);
      expect(emapalumab?.detail).toMatch(/dose/i);
      expect(emapalumab?.overrideReasons?.length).toBeGreaterThan(0);
      expect(cards.find((c) => /anakinra/i.test(c.summary))).toBeDefined();

      const feedbackUrl = `${base()}/cds-services/mas-order-sign/feedback`;
      const feedback = await fetch(feedbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await jwt(feedbackUrl)}`,
        },
        body: JSON.stringify({
          feedback: [
            {
              card: emapalumab?.uuid,
              outcome: 'overridden',
              overrideReason: {
                reason: { code: 'emergency' },
                userComment: 'deteriorating, senior on the phone',
              },
              outcomeTimestamp: now().toISOString(),
            },
          ],
        }),
      });
      expect(feedback.status).toBe(200);
      const log = await suite
        .as('auditor-ames')
        .request('GET', `/api/audit/access?episodeId=${id}&pageSize=100`);
      const overridden = (
        log.body.items as { action: string; detail: unknown }[]
      ).find((item) => item.action === 'cds.feedback.overridden');
      expect(JSON.stringify(overridden?.detail)).toContain(
        'deteriorating, senior on the phone',
      );
      expect(
        (log.body.items as { action: string }[]).map((i) => i.action),
      ).toContain('cds.order-sign');
    },
  );

  suite.maybe(
    'the JWT is checked: no token, a stranger key, an unknown issuer, another audience, an old token, a replayed jti are each 401',
    async () => {
      const url = `${base()}/cds-services/mas-patient-view`;
      const body = request('patient-view', 'SYN-ANY-1');
      expect(
        (
          await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).status,
      ).toBe(401);
      const refusedWith = async (token: string) =>
        (await hook('mas-patient-view', body, token)).status;
      expect(
        await refusedWith(await jwt(url, { key: strangerKeys.privateKey })),
      ).toBe(401);
      expect(
        await refusedWith(await jwt(url, { issuer: 'https://evil.example' })),
      ).toBe(401);
      expect(
        await refusedWith(await jwt(`${base()}/cds-services/mas-order-sign`)),
      ).toBe(401);
      expect(
        await refusedWith(
          await jwt(url, { issuedAt: new Date(now().getTime() - 3_600_000) }),
        ),
      ).toBe(401);
      // A token issued to another service, replayed with that service's
      // Host header: the audience is this service's own address, never the
      // header's.
      const elsewhere = 'http://evil.example/cds-services/mas-patient-view';
      const spoofed = await new Promise<{ status: number; body: string }>(
        (resolve, reject) => {
          void jwt(elsewhere).then((token) => {
            const sent = httpRequest(
              url,
              {
                method: 'POST',
                headers: {
                  host: 'evil.example',
                  'content-type': 'application/json',
                  authorization: `Bearer ${token}`,
                },
              },
              (response) => {
                let text = '';
                response.setEncoding('utf8');
                response.on('data', (chunk: string) => {
                  text += chunk;
                });
                response.on('end', () => {
                  resolve({ status: response.statusCode ?? 0, body: text });
                });
              },
            );
            sent.on('error', reject);
            sent.end(JSON.stringify(body));
          }, reject);
        },
      );
      // Refused for its audience, not for anything else about it.
      expect(spoofed.status).toBe(401);
      expect((JSON.parse(spoofed.body) as { message: string }).message).toMatch(
        /unexpected "aud" claim value/,
      );
      const once = await jwt(url, { jti: 'only-once' });
      expect(await refusedWith(once)).toBe(200);
      expect(await refusedWith(once)).toBe(401);
      // A wrong hook for the service, with a valid token: a 400 naming it.
      const wrong = await hook(
        'mas-patient-view',
        request('order-sign', 'SYN-ANY-1'),
      );
      expect(wrong.status).toBe(400);
      expect(wrong.body.field).toBe('body.hook');
      expect((await hook('no-such-service', body)).status).toBe(404);
    },
  );

  suite.maybe(
    'a malformed prefetch, draft order or user id from a signed-in EHR is a 400 naming the field, never a 500',
    async () => {
      const identifier = `SYN-CDS-${engine.toUpperCase()}-3`;
      await course(identifier);
      const drafted = (medicationCodeableConcept: unknown) =>
        orderSign(identifier, medicationCodeableConcept, false);
      const concept =
        'body.context.draftOrders.entry.0.resource.medicationCodeableConcept';
      const cases: [string, unknown, string][] = [
        [
          'mas-patient-view',
          {
            ...request('patient-view', identifier),
            prefetch: { patient: { identifier: 'SYN-X' } },
          },
          'body.prefetch.patient.identifier',
        ],
        [
          'mas-patient-view',
          {
            ...request('patient-view', identifier),
            prefetch: { patient: { identifier: [null] } },
          },
          'body.prefetch.patient.identifier.0',
        ],
        [
          // The prefetched Patient is another than the context's.
          'mas-patient-view',
          {
            ...request('patient-view', identifier),
            prefetch: { patient: { resourceType: 'Patient', id: 'ehr-other' } },
          },
          'body.prefetch.patient.id',
        ],
        [
          // Two patients of this service on one prefetched Patient.
          'mas-patient-view',
          {
            ...request('patient-view', identifier),
            prefetch: {
              patient: {
                resourceType: 'Patient',
                identifier: [
                  {
                    system: 'urn:mas-orchestrator:patient-identifier',
                    value: identifier,
                  },
                  {
                    system: 'urn:mas-orchestrator:patient-identifier',
                    value: 'SYN-OTHER',
                  },
                ],
              },
            },
          },
          'body.prefetch.patient.identifier',
        ],
        ['mas-order-sign', drafted(null), concept],
        [
          'mas-order-sign',
          drafted({ coding: { code: 'x' } }),
          `${concept}.coding`,
        ],
        ['mas-order-sign', drafted({ coding: [null] }), `${concept}.coding.0`],
        ['mas-order-sign', drafted({ coding: 'L04AC03' }), `${concept}.coding`],
        [
          'mas-patient-view',
          {
            ...request('patient-view', identifier),
            context: { userId: 'u'.repeat(300), patientId: identifier },
          },
          'body.context.userId',
        ],
      ];
      for (const [service, body, field] of cases) {
        const answer = await hook(service, body);
        expect({
          field,
          status: answer.status,
          named: answer.body.field,
        }).toEqual({ field, status: 400, named: field });
      }
      // A prefetch the EHR could not fetch (null) is no error.
      expect(
        (
          await hook('mas-patient-view', {
            ...request('patient-view', identifier),
            prefetch: { patient: null },
          })
        ).status,
      ).toBe(200);
    },
  );
});
