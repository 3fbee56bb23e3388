import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import {
  escalationFilterSchema,
  filterEscalations,
  parseOrThrow,
} from '@mas/contracts';

import { Roles } from '../auth/auth.guard.js';
import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import { ESCALATIONS } from '../tokens.js';
import type { EscalationsService } from './escalations.service.js';
import { escalationsCsv } from './escalations-csv.util.js';

@Controller('api')
export class EscalationsController {
  constructor(
    @Inject(ESCALATIONS) private readonly escalations: EscalationsService,
  ) {}

  /**
   * Every escalation decision and override, narrowed by `from`, `to`
   * (days), `decision` and `kind` as the auditor's page is (`?format=csv`:
   * as CSV, the same rows).
   */
  @Roles('auditor', 'senior', 'clinician')
  @Get('escalations')
  async report(
    @Query() query: unknown,
    @Req() request: { user: AuthenticatedUser },
    @Res() reply: FastifyReply,
  ) {
    const filter = parseOrThrow(escalationFilterSchema, query, 'query');
    const decisions = filterEscalations(
      await this.escalations.report(),
      filter,
    );
    // Logged before it is sent (the decisions name patients and clinicians).
    await this.escalations.accessLog.record({
      user: request.user,
      action: 'escalations.listed',
      detail: { ...filter, decisions: decisions.length },
    });
    if (filter.format === 'csv') {
      const csv = escalationsCsv(decisions);
      reply.type('text/csv; charset=utf-8').status(200).send(csv);
      return;
    }
    reply.status(200).send(decisions);
  }
}
