import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { Roles } from '../auth/auth.guard.js';
import { ESCALATIONS } from '../tokens.js';
import type { EscalationsService } from './escalations.service.js';
import { escalationsCsv } from './escalations-csv.util.js';

@Controller('api')
export class EscalationsController {
  constructor(
    @Inject(ESCALATIONS) private readonly escalations: EscalationsService,
  ) {}

  /** Every escalation decision and override (`?format=csv`: as CSV). */
  @Roles('auditor', 'senior', 'clinician')
  @Get('escalations')
  async report(@Query('format') format: unknown, @Res() reply: FastifyReply) {
    const decisions = await this.escalations.report();
    if (format === 'csv') {
      const csv = escalationsCsv(decisions);
      reply.type('text/csv; charset=utf-8').status(200).send(csv);
      return;
    }
    reply.status(200).send(decisions);
  }
}
