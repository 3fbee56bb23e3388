/**
 * The OpenAPI document is the contract: every answer of a tour of the whole
 * service (each role, each route, each kind of refusal) must be declared by
 * it, status and body shape, as checked by a validator nobody here wrote
 * (openapi-backend with Ajv); every route the service has is in the
 * document and nothing else; every request the service accepted is valid
 * under the document.
 */
import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import ajvFormats from 'ajv-formats';
import OpenAPIBackend, { type Document } from 'openapi-backend';

import {
  ENGINES,
  type Exchange,
  type Harness,
  postgresRequirement,
  type Requirement,
  startHarness,
  testUnder,
} from './api-harness.js';
import { takeTour } from './contract-tour.js';

const requirement: Requirement = await postgresRequirement();

/** How an answer falls short of the document (null: it is declared). */
function undeclared(
  backend: OpenAPIBackend,
  document: Document,
  exchange: Exchange,
): string | null {
  const url = new URL(exchange.path, 'http://service');
  const operation = backend.router.matchOperation({
    method: exchange.method,
    path: url.pathname,
    query: url.search.slice(1),
    headers: {},
  });
  if (!operation) return 'no operation in the document';
  const pathItem = document.paths?.[operation.path] as
    Record<string, { responses?: Record<string, unknown> }> | undefined;
  const response = pathItem?.[operation.method]?.responses?.[
    String(exchange.status)
  ] as { content?: Record<string, unknown> } | undefined;
  if (!response) return `status ${String(exchange.status)} not declared`;
  const declared = Object.keys(response.content ?? {});
  const type = exchange.contentType.split(';')[0]?.trim() ?? '';
  if (declared.length === 0) {
    return exchange.body === undefined ? null : `a body where none is declared`;
  }
  if (!declared.includes(type)) {
    return `content-type ${type} not declared (${declared.join(', ')})`;
  }
  if (type !== 'application/json') return null;
  const result = backend.validator.validateResponse(
    exchange.body,
    operation,
    exchange.status,
  );
  return result.valid
    ? null
    : JSON.stringify(
        result.errors?.map(
          (e) =>
            `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
        ),
      );
}

describe.each(ENGINES)('the OpenAPI contract on %s', (engine) => {
  const maybe = testUnder(
    engine === 'postgres' ? requirement : { mode: 'run' as const },
  );
  const skip = engine === 'postgres' && requirement.mode !== 'run';
  let harness: Harness | undefined;
  let tour: Exchange[] = [];
  let document: Document;
  let backend: OpenAPIBackend;

  beforeAll(async () => {
    if (skip) return;
    harness = await startHarness(engine);
    tour = await takeTour(harness);
    const served = await fetch(`${harness.service.url}/api/docs-json`);
    document = (await served.json()) as Document;
    backend = new OpenAPIBackend({
      definition: document,
      strict: true,
      // The document itself is linted by Redocly (libs/contracts); this
      // validator's own check of it (skipped by `quick`) knows OpenAPI 3.0
      // schemas only.
      quick: true,
      // Formats checked, not ignored (date-time, uuid, date).
      customizeAjv: (ajv) => {
        ajvFormats.default(ajv);
        return ajv;
      },
    });
    await backend.init();
  }, 90_000);

  afterAll(async () => {
    if (harness) await harness.close();
  });

  maybe(
    'every answer of the tour is declared: status, content type, body shape',
    () => {
      expect(tour.length).toBeGreaterThan(60);
      const problems = tour
        .map((exchange) => ({
          request: `${exchange.method} ${exchange.path.slice(0, 120)} → ${String(exchange.status)}`,
          problem: undeclared(backend, document, exchange),
        }))
        .filter((found) => found.problem !== null);
      expect(problems).toEqual([]);
    },
  );

  maybe('every route of the service is in the document, and no other', () => {
    // The routes Nest registered, read from the controllers by
    // @nestjs/swagger's scanner (paths and methods only).
    if (!harness) throw new Error('the service did not start');
    const scanned = SwaggerModule.createDocument(
      harness.service.app,
      new DocumentBuilder().build(),
    );
    const routes = (paths: Record<string, object> | undefined) =>
      Object.entries(paths ?? {})
        .flatMap(([path, item]) =>
          Object.keys(item)
            .filter((key) =>
              ['get', 'post', 'put', 'patch', 'delete'].includes(key),
            )
            .map((method) => `${method} ${path}`),
        )
        .sort();
    const inDocument = routes(document.paths as Record<string, object>);
    expect(inDocument).toEqual(routes(scanned.paths));
    expect(inDocument.length).toBeGreaterThan(30);
  });

  maybe(
    'the tour exercised every operation with a success or a redirect, and every kind of refusal',
    () => {
      const exercised = new Set<string>();
      const refusals = new Set<number>();
      for (const exchange of tour) {
        const url = new URL(exchange.path, 'http://service');
        const operation = backend.router.matchOperation({
          method: exchange.method,
          path: url.pathname,
          headers: {},
        });
        if (operation && exchange.status < 400) {
          exercised.add(operation.operationId ?? '');
        }
        if (exchange.status >= 400) refusals.add(exchange.status);
      }
      const every = backend.router
        .getOperations()
        .map((operation) => operation.operationId ?? '');
      // Sign-in at an identity provider needs one (the OIDC suite runs it),
      // CDS Hooks an EHR client (the CDS suite): here, without them, they
      // answer 404, declared above.
      const needProvider = [
        'getAuthOidcLogin',
        'getAuthOidcCallback',
        'getCdsServices',
        'postCdsServicesId',
        'postCdsServicesIdFeedback',
      ];
      expect(
        every.filter((id) => !exercised.has(id) && !needProvider.includes(id)),
      ).toEqual([]);
      expect([...refusals].sort()).toEqual(
        expect.arrayContaining([400, 401, 403, 404, 409, 413, 415, 422]),
      );
    },
  );

  maybe(
    'every request the service accepted is valid under the document',
    () => {
      const invalid = tour
        .filter(
          (exchange) =>
            exchange.status < 300 && exchange.requestBody !== undefined,
        )
        .map((exchange) => {
          const url = new URL(exchange.path, 'http://service');
          const result = backend.validator.validateRequest({
            method: exchange.method,
            path: url.pathname,
            query: url.search.slice(1),
            headers: {
              'content-type': 'application/json',
              ...exchange.requestHeaders,
            },
            body: exchange.requestBody,
          });
          return {
            request: `${exchange.method} ${exchange.path}`,
            errors: result.valid
              ? []
              : (result.errors ?? []).map(
                  (e) => `${e.instancePath} ${e.message ?? ''}`,
                ),
          };
        })
        .filter((found) => found.errors.length > 0);
      expect(invalid).toEqual([]);
    },
  );
});
