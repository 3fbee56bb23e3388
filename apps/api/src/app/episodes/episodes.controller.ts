import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { parseOrThrow, stateAtQuerySchema } from '@mas/contracts';

import { LogsRead } from '../access-log/access-log.interceptor.js';
import { Roles } from '../auth/auth.guard.js';
import { EPISODES } from '../tokens.js';
import type { AuthenticatedUser, EpisodesService } from './episodes.service.js';

interface AuthedRequest {
  user: AuthenticatedUser;
}

@Controller('api/episodes')
export class EpisodesController {
  constructor(@Inject(EPISODES) private readonly episodes: EpisodesService) {}

  @Roles('clinician', 'senior', 'trainee')
  @Post()
  create(@Body() body: unknown, @Req() request: AuthedRequest) {
    return this.episodes.create(body, request.user);
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get()
  @LogsRead('episodes.listed')
  list(@Query() query: Record<string, unknown>, @Req() request: AuthedRequest) {
    return this.episodes.list(query, request.user);
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':id')
  @LogsRead('episode.read')
  get(@Param('id') id: string, @Req() request: AuthedRequest) {
    return this.episodes.get(id, request.user);
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':id/state')
  @LogsRead('episode.state.read')
  state(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() request: AuthedRequest,
  ) {
    // One parameter: anything else is refused, not silently ignored.
    const { at } = parseOrThrow(stateAtQuerySchema, query, '');
    return this.episodes.stateAt(id, at, request.user);
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':id/audit')
  @LogsRead('episode.audit.read')
  audit(@Param('id') id: string, @Req() request: AuthedRequest) {
    return this.episodes.audit(id, request.user);
  }

  /**
   * Every running episode of a kind under one protocol version, moved to
   * another (seniors) or its dry run (seniors and auditors).
   */
  @Roles('senior', 'auditor')
  @Post('migrate')
  @HttpCode(200)
  // The answer lists the episodes (identifiers, stages, alerts): a read.
  @LogsRead('episodes.migration.listed')
  migrateAll(@Body() body: unknown, @Req() request: AuthedRequest) {
    return this.episodes.migrateAll(body, request.user);
  }

  /** Moves the episode to another deployed protocol version (senior only). */
  @Roles('senior')
  @Post(':id/migrate')
  async migrate(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: AuthedRequest,
    @Res() reply: FastifyReply,
  ) {
    const outcome = await this.episodes.migrate(id, body, request.user);
    reply.status(outcome.status).send(outcome.body);
  }

  @Roles('clinician', 'senior', 'trainee')
  @Post(':id/events')
  async send(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: AuthedRequest,
    @Res() reply: FastifyReply,
  ) {
    const outcome = await this.episodes.send(
      id,
      body,
      request.user,
      idempotencyKey,
    );
    reply.status(outcome.status).send(outcome.body);
  }

  /**
   * Marks an audited event entered in error (a void entry of its own; the
   * episode replayed without it). Who records events may; a rationale is
   * required.
   */
  @Roles('clinician', 'senior', 'trainee')
  @Post(':id/entered-in-error')
  async voidEntry(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: AuthedRequest,
    @Res() reply: FastifyReply,
  ) {
    const outcome = await this.episodes.voidEntry(
      id,
      body,
      request.user,
      idempotencyKey,
    );
    reply.status(outcome.status).send(outcome.body);
  }
}
