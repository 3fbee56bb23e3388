import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import {
  parseOrThrow,
  qualityQuerySchema,
  type QualityReport,
  type SimulatedQuality,
  simulatedQualityQuerySchema,
} from '@mas/contracts';
import { qualityIndicatorsCsv } from '@mas/mas-episode/analytics';
import { knownProtocolVersion } from '@mas/protocol';

import { Roles } from '../auth/auth.guard.js';
import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import { ANALYTICS } from '../tokens.js';
import type { AnalyticsService } from './analytics.service.js';

@Controller('api')
export class AnalyticsController {
  constructor(
    @Inject(ANALYTICS) private readonly analytics: AnalyticsService,
  ) {}

  /**
   * The quality indicators of real episodes, narrowed by `from`, `to`
   * (months, inclusive) and the protocol `version` (`?format=csv`: as CSV,
   * the same points).
   */
  @Roles('auditor', 'senior')
  @Get('analytics')
  async report(
    @Query() query: unknown,
    @Req() request: { user: AuthenticatedUser },
    @Res() reply: FastifyReply,
  ) {
    const filter = parseOrThrow(qualityQuerySchema, query, 'query');
    // A version this build does not know would narrow the report to
    // nothing, silently: refused naming it, as the protocol diff does.
    if (filter.version !== undefined) {
      knownProtocolVersion(filter.version, 'query.version');
    }
    const report = await this.analytics.report(filter);
    // Logged before it is sent (the drill-down names the patients).
    await this.analytics.accessLog.record({
      user: request.user,
      action: 'quality.report',
      detail: { ...filter, episodes: report.episodes },
    });
    if (filter.format === 'csv') {
      reply
        .type('text/csv; charset=utf-8')
        .status(200)
        .send(qualityIndicatorsCsv(report));
      return;
    }
    // The computation's result as the contract describes it (checked here).
    const body: QualityReport = report;
    reply.status(200).send(body);
  }

  /**
   * The same indicators over a simulated cohort of one `policy` (`runs`
   * courses of every scenario from `seed`): MODEL OUTPUT, for educators to
   * set beside the real ones.
   */
  @Roles('auditor', 'senior')
  @Get('analytics/simulated')
  simulated(@Query() query: unknown): Promise<SimulatedQuality> {
    const asked = parseOrThrow(simulatedQualityQuerySchema, query, 'query');
    return this.analytics.simulatedCohort(asked);
  }
}
