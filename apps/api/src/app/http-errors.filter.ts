import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { ClinicalInputError } from '@mas/protocol';

import { ServiceError } from './episodes/episodes.service.js';
import { faultForLog } from './fault-log.js';
import { BODY_LIMIT_BYTES } from './http-limits.js';
import { RequestRefusal } from './request-refusal.error.js';

/**
 * Fastify's refusals of a request before it reaches a route (its body
 * parser), by their error code: the field and the rule broken.
 */
const fastifyRefusals: Readonly<
  Record<string, { readonly field: string; readonly rule: string }>
> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    field: 'content-type',
    rule: 'a request body must be sent as application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    field: 'body',
    rule: 'must be valid JSON, without "__proto__" or "constructor.prototype" keys',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    field: 'body',
    rule: 'must not be empty when the content-type is application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    field: 'body',
    rule: `must be at most ${String(BODY_LIMIT_BYTES)} bytes`,
  },
};

/**
 * The HTTP layer's refusal `error` stands for, if it is one: ours (the JSON
 * parser's charset check), Fastify's body parser's (which Nest hands over
 * as an HttpException caused by it), or a body the client stopped sending
 * (Fastify's body reader raises it as a plain error with a 400).
 */
function refusalOf(error: unknown): RequestRefusal | undefined {
  if (error instanceof RequestRefusal) return error;
  if (error instanceof HttpException) {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    const known = typeof code === 'string' ? fastifyRefusals[code] : undefined;
    return known
      ? new RequestRefusal(error.getStatus(), known.field, known.rule)
      : undefined;
  }
  const { code, statusCode } = error as {
    code?: unknown;
    statusCode?: unknown;
  };
  return code === 'ECONNRESET' && statusCode === 400
    ? new RequestRefusal(400, 'request', 'must arrive whole')
    : undefined;
}

/** Whether a request is one of the FHIR routes (FHIR out, FHIR in). */
export function isFhirRoute(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return (
    path === '/api/fhir' ||
    path.startsWith('/api/fhir/') ||
    /^\/api\/episodes\/[^/]+\/fhir\/?$/.test(path)
  );
}

/** The OperationOutcome issue code of an HTTP refusal (R4 issue-type). */
const outcomeCodes: Readonly<Record<number, string>> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  409: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  422: 'business-rule',
  429: 'throttled',
};

/**
 * A refusal on a FHIR route, the FHIR way: an OperationOutcome whose issue
 * says what (its code by the HTTP status), why (`diagnostics`: the message
 * and the rule) and where (`expression`: the field), whatever refused it
 * (the sign-in, a role, the body parser, an unknown path).
 */
export function fhirOutcomeOf(status: number, body: unknown): unknown {
  const fields =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)
      : { message: String(body) };
  if (fields['resourceType'] === 'OperationOutcome') return body;
  const field =
    typeof fields['field'] === 'string' ? fields['field'] : undefined;
  const rule = typeof fields['rule'] === 'string' ? fields['rule'] : undefined;
  const message =
    field === 'content-type'
      ? 'a FHIR request body must be sent as application/fhir+json or application/json (XML is not supported)'
      : typeof fields['message'] === 'string'
        ? fields['message']
        : Array.isArray(fields['message'])
          ? fields['message'].map(String).join('; ')
          : `HTTP ${String(status)}`;
  const diagnostics =
    rule !== undefined && !message.includes(rule) && field !== 'content-type'
      ? `${message}: ${rule}`
      : message;
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code:
          outcomeCodes[status] ?? (status >= 500 ? 'exception' : 'processing'),
        diagnostics,
        ...(field === undefined ? {} : { expression: [field] }),
      },
    ],
  };
}

/** Bad input is a 4xx naming the field and the rule, never a 500. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<{ url?: string }>();
    const send = (status: number, body: unknown) => {
      if (isFhirRoute(request.url ?? '')) {
        // FHIR clients read OperationOutcomes, whatever refused them.
        if (status === 401) reply.header('www-authenticate', 'Bearer');
        reply
          .status(status)
          .type('application/fhir+json; charset=utf-8')
          .send(fhirOutcomeOf(status, body));
        return;
      }
      reply.status(status).send(body);
    };
    if (error instanceof ServiceError) {
      send(error.status, error.body);
      return;
    }
    if (error instanceof ClinicalInputError) {
      send(400, {
        message: error.message,
        field: error.field,
        rule: error.rule,
      });
      return;
    }
    const refusal = refusalOf(error);
    if (refusal) {
      // Answered, not logged as a fault.
      send(refusal.status, refusal.body);
      return;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      send(
        error.getStatus(),
        typeof body === 'string' ? { message: body } : body,
      );
      return;
    }
    console.error(faultForLog(error));
    send(500, { message: 'internal error' });
  }
}
