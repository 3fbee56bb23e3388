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

import { masEpisodeMachine } from '@mas/mas-episode';
import { evidenceCatalog, masProtocol } from '@mas/protocol';

import { LogsRead } from './access-log/access-log.interceptor.js';
import { Public, Roles } from './auth/auth.guard.js';
import type {
  AuthenticatedUser,
  EpisodesService,
} from './episodes/episodes.service.js';
import { EPISODES, TRAINING } from './tokens.js';
import type { TrainingService } from './training/training.service.js';

interface AuthedRequest {
  user: AuthenticatedUser;
}

@Controller('api')
export class HealthController {
  @Public()
  @Get('health')
  health() {
    return {
      status: 'ok',
      protocol: { version: masProtocol.version, hash: masProtocol.hash },
    };
  }
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
    @Query('at') at: unknown,
    @Req() request: AuthedRequest,
  ) {
    return this.episodes.stateAt(id, at, request.user);
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':id/audit')
  @LogsRead('episode.audit.read')
  audit(@Param('id') id: string, @Req() request: AuthedRequest) {
    return this.episodes.audit(id, request.user);
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':id/audit/verify')
  @LogsRead('episode.audit.verified')
  verifyAudit(@Param('id') id: string, @Req() request: AuthedRequest) {
    return this.episodes.verifyEpisodeAudit(id, request.user);
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
}

@Controller('api')
export class ProtocolController {
  @Roles('clinician', 'senior', 'trainee', 'auditor', 'admin')
  @Get('protocol')
  protocol() {
    return {
      id: masProtocol.id,
      version: masProtocol.version,
      hash: masProtocol.hash,
      machine: masEpisodeMachine.definition,
      evidence: evidenceCatalog,
    };
  }
}

@Controller('api/training')
export class TrainingController {
  constructor(@Inject(TRAINING) private readonly training: TrainingService) {}

  @Roles('clinician', 'senior', 'trainee')
  @Get('scenarios')
  scenarios() {
    return this.training.scenarios();
  }

  @Roles('clinician', 'senior', 'trainee')
  @Post('episodes')
  start(@Body() body: unknown, @Req() request: AuthedRequest) {
    return this.training.start(body, request.user);
  }

  @Roles('clinician', 'senior', 'trainee')
  @Get('episodes/:id')
  @LogsRead('training.episode.read')
  state(@Param('id') id: string, @Req() request: AuthedRequest) {
    return this.training.state(id, request.user);
  }

  @Roles('clinician', 'senior', 'trainee')
  @Post('episodes/:id/advance')
  @HttpCode(200)
  advance(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: AuthedRequest,
  ) {
    return this.training.advance(id, body, request.user);
  }

  @Roles('clinician', 'senior', 'trainee')
  @Get('episodes/:id/debrief')
  @LogsRead('training.debrief.read')
  debrief(@Param('id') id: string, @Req() request: AuthedRequest) {
    return this.training.debrief(id, request.user);
  }
}
