import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import { parseOrThrow } from '@mas/contracts';

import { Roles } from '../auth/auth.guard.js';
import { AUDIT } from '../tokens.js';
import type { AuditService } from './audit.service.js';
import { escalationsCsv } from './escalations-csv.js';

const verifyQuerySchema = z
  .object({
    replay: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .optional(),
  })
  .strict();

@Controller('api')
export class AuditController {
  constructor(@Inject(AUDIT) private readonly audit: AuditService) {}

  @Roles('auditor', 'senior', 'clinician')
  @Get('escalations')
  async escalations(
    @Query('format') format: unknown,
    @Res() reply: FastifyReply,
  ) {
    const decisions = await this.audit.escalations();
    if (format === 'csv') {
      const csv = escalationsCsv(decisions);
      reply.type('text/csv; charset=utf-8').status(200).send(csv);
      return;
    }
    reply.status(200).send(decisions);
  }

  /**
   * Every chain, each entry authenticated, against its episode; `replay=true`
   * also replays every chain against its stored snapshot.
   */
  @Roles('auditor', 'senior', 'clinician', 'admin')
  @Get('audit/verify')
  verify(@Query() query: Record<string, unknown>) {
    const { replay } = parseOrThrow(verifyQuerySchema, query, 'query');
    return this.audit.verify({ replay: replay === 'true' });
  }

  /**
   * The access log: reads of patient data and user administration
   * (`?episodeId=`, `?actor=`, `?action=`, `?from=`, `?to=`, pages).
   */
  @Roles('auditor')
  @Get('audit/access')
  access(@Query() query: Record<string, unknown>) {
    return this.audit.access(query);
  }

  /** A signed checkpoint of every chain's head, to keep outside the database. */
  @Roles('auditor', 'admin')
  @Get('audit/checkpoint')
  checkpoint() {
    return this.audit.checkpoint();
  }
}
