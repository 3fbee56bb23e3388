import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
} from '@nestjs/common';

import { ClinicalInputError } from '@mas/protocol';

import { ServiceError } from './episodes/episodes.service.js';

interface Reply {
  status(code: number): Reply;
  json(body: unknown): void;
}

/** Bad input is a 4xx naming the field and the rule, never a 500. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<Reply>();
    if (error instanceof ServiceError) {
      reply.status(error.status).json(error.body);
      return;
    }
    if (error instanceof ClinicalInputError) {
      reply
        .status(400)
        .json({ message: error.message, field: error.field, rule: error.rule });
      return;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      reply
        .status(error.getStatus())
        .json(typeof body === 'string' ? { message: body } : body);
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // body-parser: malformed JSON, too large, bad encoding
      reply.status(status).json({ message: (error as Error).message });
      return;
    }
    console.error(error);
    reply.status(500).json({ message: 'internal error' });
  }
}
