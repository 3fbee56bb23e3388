import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { HttpException } from '@nestjs/common';

import { HttpErrorsFilter } from './http-errors.filter.js';

/** What the filter answered: a recording of Fastify's reply calls. */
function answerTo(error: unknown): {
  status?: number;
  body?: unknown;
  logged?: boolean;
} {
  const answer: { status?: number; body?: unknown; logged?: boolean } = {
    logged: false,
  };
  const reply = {
    status(code: number) {
      answer.status = code;
      return reply;
    },
    send(body: unknown) {
      answer.body = body;
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => reply }),
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
});
