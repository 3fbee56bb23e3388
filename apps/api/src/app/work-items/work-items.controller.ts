import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';

import type { WorkItemPage } from '@mas/contracts';

import { LogsRead } from '../access-log/access-log.interceptor.js';
import { Roles } from '../auth/auth.guard.js';
import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import { WORK_ITEMS } from '../tokens.js';
import type { WorkItemsService } from './work-items.service.js';

interface AuthedRequest {
  user: AuthenticatedUser;
}

@Controller('api')
export class WorkItemsController {
  constructor(
    @Inject(WORK_ITEMS) private readonly workItems: WorkItemsService,
  ) {}

  /** The caller's work list (kinds by role; four eyes marked, not hidden). */
  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get('work-items')
  @LogsRead('work-items.listed')
  list(
    @Query() query: Record<string, unknown>,
    @Req() request: AuthedRequest,
  ): Promise<WorkItemPage> {
    return this.workItems.list(query, request.user);
  }

  /** One episode's work items, for whoever may read the episode. */
  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get('episodes/:id/work-items')
  @LogsRead('episode.work-items.read')
  forEpisode(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() request: AuthedRequest,
  ): Promise<WorkItemPage> {
    return this.workItems.listForEpisode(id, query, request.user);
  }
}
