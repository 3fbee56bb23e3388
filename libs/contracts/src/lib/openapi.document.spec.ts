import { describe, expect, it } from '@jest/globals';
import { createConfig, lintFromString } from '@redocly/openapi-core';

import { buildOpenApiDocument, operationId } from './openapi.document.js';

const document = buildOpenApiDocument({
  version: '1.0.0',
  scenarioIds: ['steroid-responsive', 'infection-triggered'],
});

type Operation = {
  operationId?: string;
  responses: Record<string, unknown>;
  security?: unknown[];
  requestBody?: unknown;
};

function operations(): [string, string, Operation][] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(
      ([method, operation]) =>
        [method, path, operation] as [string, string, Operation],
    ),
  );
}

describe('the OpenAPI document', () => {
  it('passes the Redocly linter (recommended rules) with no error and no warning', async () => {
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: 'openapi.json',
      config: await createConfig({
        extends: ['recommended'],
        rules: {
          // The service is not published under an open licence: no URL or
          // SPDX identifier to give.
          'info-license-strict': 'off',
          // Sign-in at the identity provider answers with redirects (302)
          // only, and health and the providers have no input to refuse:
          // the next test checks that every route has a 2xx or 3xx answer.
          'operation-2xx-response': 'off',
          'operation-4xx-response': 'off',
        },
      }),
    });
    expect(
      problems.map(
        (p) =>
          `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`,
      ),
    ).toEqual([]);
  });

  it('is OpenAPI 3.1 with every route, each with an answer and its refusals', () => {
    expect(document.openapi).toBe('3.1.0');
    const all = operations();
    // (That these are every route of the service, and no other, is checked
    // against the running service by the contract suite.)
    expect(all.length).toBeGreaterThan(0);
    for (const [method, path, operation] of all) {
      expect(operation.operationId).toBe(operationId(method, path));
      const statuses = Object.keys(operation.responses);
      const guarded =
        operation.security === undefined || operation.security.length > 0;
      // An answer; a route with a body may refuse it (400, 413, 415); a
      // guarded one answers 401 without a session.
      expect({
        path,
        method,
        answers: statuses.some((s) => /^[23]/.test(s)),
        bodyRefusals: ['400', '413', '415'].filter(
          (s) => operation.requestBody !== undefined && !statuses.includes(s),
        ),
        sessionRefusal: !guarded || statuses.includes('401'),
      }).toEqual({
        path,
        method,
        answers: true,
        bodyRefusals: [],
        sessionRefusal: true,
      });
    }
  });

  it("describes each care event's payload by its type", () => {
    const body = JSON.stringify(
      document.paths?.['/api/episodes/{id}/events']?.post?.requestBody,
    );
    expect(body).toContain('EventRequest');
    const schemas = JSON.stringify(
      document.components?.schemas?.['EventRequest'],
    );
    for (const type of [
      'therapy.started',
      'labs.recorded',
      'escalation.requested',
    ]) {
      expect(schemas).toContain(`"${type}"`);
    }
    // The therapy's dose is required, as the service requires it.
    expect(schemas).toMatch(/"required":\[[^\]]*"dose"/);
  });
});
