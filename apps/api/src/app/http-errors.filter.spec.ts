import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { HttpException } from '@nestjs/common';

import { HttpErrorsFilter, isFhirRoute } from './http-errors.filter.js';

/** What the filter answered: a recording of Fastify's reply calls. */
function answerTo(
  error: unknown,
  url = '/api/episodes',
): {
  status?: number;
  body?: unknown;
  logged?: boolean;
  type?: string;
  headers?: Record<string, string>;
} {
  const answer: {
    status?: number;
    body?: unknown;
    logged?: boolean;
    type?: string;
    headers?: Record<string, string>;
  } = {
    logged: false,
  };
  const reply = {
    status(code: number) {
      answer.status = code;
      return reply;
    },
    type(value: string) {
      answer.type = value;
      return reply;
    },
    header(name: string, value: string) {
      answer.headers = { ...answer.headers, [name]: value };
      return reply;
    },
    send(body: unknown) {
      answer.body = body;
    },
  };
  const host = {
    switchToHttp: () => ({
      getResponse: () => reply,
      getRequest: () => ({ url }),
    }),
  } as unknown as ArgumentsHost;
  const logged = console.error;
  console.error = () => {
    answer.logged = true;
  };
  try {
    new HttpErrorsFilter().catch(error, host);
  } finally {
    console.error = logged;
  }
  return answer;
}

describe('HttpErrorsFilter', () => {
  it('a 4xx the HTTP layer raised as a plain error (a body cut short) is answered as such, naming the request', () => {
    // As Fastify's body reader raises it when the client stops sending.
    const aborted = Object.assign(new Error('aborted'), {
      code: 'ECONNRESET',
      statusCode: 400,
    });
    expect(answerTo(aborted)).toEqual({
      status: 400,
      body: {
        message: 'request: must arrive whole',
        field: 'request',
        rule: 'must arrive whole',
      },
      logged: false,
    });
  });

  it("Fastify's body refusals name the field and the rule", () => {
    const refused = new HttpException('Unsupported Media Type', 415, {
      cause: Object.assign(new Error('Unsupported Media Type'), {
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        statusCode: 415,
      }),
    });
    expect(answerTo(refused)).toEqual({
      status: 415,
      body: {
        message:
          'content-type: a request body must be sent as application/json',
        field: 'content-type',
        rule: 'a request body must be sent as application/json',
      },
      logged: false,
    });
  });

  it('anything else is a 500 that says nothing of the fault, and is logged', () => {
    const fault = {
      status: 500,
      body: { message: 'internal error' },
      logged: true,
    };
    expect(answerTo(new TypeError('x is undefined'))).toEqual(fault);
    expect(
      answerTo(Object.assign(new Error('db down'), { statusCode: 503 })),
    ).toEqual(fault);
  });

  it('answers a refusal on a FHIR route as an OperationOutcome, whatever refused it', () => {
    expect(isFhirRoute('/api/fhir/R4/Patient/x/foo')).toBe(true);
    expect(isFhirRoute('/api/episodes/abc/fhir?x=1')).toBe(true);
    expect(isFhirRoute('/api/episodes/abc/events')).toBe(false);
    expect(isFhirRoute('/api/fhirish')).toBe(false);
    const unauthenticated = answerTo(
      new HttpException('sign in first', 401),
      '/api/fhir/R4/Observation?patient=x',
    );
    expect(unauthenticated).toMatchObject({
      status: 401,
      type: 'application/fhir+json; charset=utf-8',
      headers: { 'www-authenticate': 'Bearer' },
      body: {
        resourceType: 'OperationOutcome',
        issue: [
          { severity: 'error', code: 'login', diagnostics: 'sign in first' },
        ],
      },
    });
    const tooLarge = answerTo(
      new HttpException('too large', 413, {
        cause: { code: 'FST_ERR_CTP_BODY_TOO_LARGE' },
      }),
      '/api/episodes/abc/fhir',
    );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'too-costly', expression: ['body'] }],
    });
    const xml = answerTo(
      new HttpException('unsupported', 415, {
        cause: { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' },
      }),
      '/api/episodes/abc/fhir',
    );
    expect(xml.body).toMatchObject({
      issue: [
        {
          code: 'not-supported',
          expression: ['content-type'],
          diagnostics:
            'a FHIR request body must be sent as application/fhir+json or application/json (XML is not supported)',
        },
      ],
    });
    // Elsewhere, the service's own shape.
    expect(answerTo(new HttpException('sign in first', 401)).body).toEqual({
      message: 'sign in first',
    });
  });
});
