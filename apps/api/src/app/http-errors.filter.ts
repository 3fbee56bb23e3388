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

/** Bad input is a 4xx naming the field and the rule, never a 500. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof ServiceError) {
      reply.status(error.status).send(error.body);
      return;
    }
    if (error instanceof ClinicalInputError) {
      reply
        .status(400)
        .send({ message: error.message, field: error.field, rule: error.rule });
      return;
    }
    const refusal = refusalOf(error);
    if (refusal) {
      // Answered, not logged as a fault.
      reply.status(refusal.status).send(refusal.body);
      return;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      reply
        .status(error.getStatus())
        .send(typeof body === 'string' ? { message: body } : body);
      return;
    }
    console.error(faultForLog(error));
    reply.status(500).send({ message: 'internal error' });
  }
}
