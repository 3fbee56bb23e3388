import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
} from '@nestjs/common';

import { ClinicalInputError } from '@mas/protocol';

import { ServiceError } from './episodes/episodes.service.js';
import { BODY_LIMIT_BYTES } from './http-limits.js';

interface Reply {
  status(code: number): Reply;
  send(body: unknown): void;
}

/**
 * Fastify's refusals of a request before it reaches a route (its body
 * parser), by their error code: the field and the rule broken.
 */
const requestRefusals: Readonly<
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

function refusalOf(
  error: HttpException,
): { readonly field: string; readonly rule: string } | undefined {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? requestRefusals[code] : undefined;
}

function isAbortedBody(error: unknown): boolean {
  const { code, statusCode } = error as {
    code?: unknown;
    statusCode?: unknown;
  };
  return code === 'ECONNRESET' && statusCode === 400;
}

/** Bad input is a 4xx naming the field and the rule, never a 500. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<Reply>();
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
    if (error instanceof HttpException) {
      const refusal = refusalOf(error);
      if (refusal) {
        reply.status(error.getStatus()).send({
          message: `${refusal.field}: ${refusal.rule}`,
          ...refusal,
        });
        return;
      }
      const body = error.getResponse();
      reply
        .status(error.getStatus())
        .send(typeof body === 'string' ? { message: body } : body);
      return;
    }
    // A request body the client stopped sending: Fastify's body reader
    // raises it as a plain error with a 400. Answered, not logged as a fault.
    if (isAbortedBody(error)) {
      reply.status(400).send({
        message: 'request: must arrive whole',
        field: 'request',
        rule: 'must arrive whole',
      });
      return;
    }
    console.error(error);
    reply.status(500).send({ message: 'internal error' });
  }
}
