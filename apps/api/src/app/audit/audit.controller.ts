import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';

import { auditVerifyQuerySchema, parseOrThrow } from '@mas/contracts';

import { LogsRead } from '../access-log/access-log.interceptor.js';
import { Roles } from '../auth/auth.guard.js';
import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import { AUDIT } from '../tokens.js';
import type { AuditService } from './audit.service.js';

@Controller('api')
export class AuditController {
  constructor(@Inject(AUDIT) private readonly audit: AuditService) {}

  /**
   * Every chain, each entry authenticated, against its episode; `replay=true`
   * also replays every chain against its stored snapshot.
   */
  @Roles('auditor', 'senior', 'clinician', 'admin')
  @Get('audit/verify')
  verify(@Query() query: Record<string, unknown>) {
    const { replay } = parseOrThrow(auditVerifyQuerySchema, query, 'query');
    return this.audit.verify({ replay: replay === 'true' });
  }

  /**
   * One episode's chain, each entry authenticated, against its sealed
   * record, and replayed against its stored snapshot.
   */
  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get('episodes/:id/audit/verify')
  @LogsRead('episode.audit.verified')
  verifyEpisode(
    @Param('id') id: string,
    @Req() request: { user: AuthenticatedUser },
  ) {
    return this.audit.verifyEpisode(id, request.user);
  }

  /** The events refused for one episode, oldest first. */
  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get('episodes/:id/refusals')
  @LogsRead('episode.refusals.read')
  refusals(
    @Param('id') id: string,
    @Req() request: { user: AuthenticatedUser },
  ) {
    return this.audit.refusals(id, request.user);
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
