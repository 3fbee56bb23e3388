import {
  Body,
  ConflictException,
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
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import { parseOrThrow } from '@mas/contracts';
import { masEpisodeMachine } from '@mas/mas-episode';
import { evidenceCatalog, masProtocol } from '@mas/protocol';

import { LogsRead } from './access-log/access-log.interceptor.js';
import type { AccessLogService } from './access-log/access-log.service.js';
import { Public, Roles } from './auth/auth.guard.js';
import { MIN_PASSWORD_LENGTH } from './auth/password.util.js';
import type { UsersService } from './auth/users.service.js';
import type { Clock } from './clock/clock.js';
import type {
  AuthenticatedUser,
  EpisodesService,
} from './episodes/episodes.service.js';
import { ACCESS_LOG, CLOCK, EPISODES, TRAINING, USERS } from './tokens.js';
import type { TrainingService } from './training/training.service.js';

interface AuthedRequest {
  user: AuthenticatedUser;
}

const newUserSchema = z
  .object({
    username: z.string().trim().min(1).max(100),
    password: z
      .string()
      .min(
        MIN_PASSWORD_LENGTH,
        `must be at least ${MIN_PASSWORD_LENGTH} characters`,
      ),
    role: z.enum(['clinician', 'senior', 'trainee', 'auditor', 'admin']),
  })
  .strict();

const loginSchema = z
  .object({ username: z.string().min(1), password: z.string().min(1) })
  .strict();

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

@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(USERS) private readonly users: UsersService,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown) {
    const credentials = parseOrThrow(loginSchema, body, 'body');
    const user = await this.users.authenticate(
      credentials.username,
      credentials.password,
    );
    if (!user)
      throw new UnauthorizedException('unknown user or wrong password');
    // Issued at the service's clock (the expiry counts from it; tests move it).
    const token = await this.jwt.signAsync({
      sub: user.id,
      username: user.username,
      role: user.role,
      iat: Math.floor(this.clock.now().getTime() / 1000),
    });
    return { token, username: user.username, role: user.role };
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

@Controller('api/users')
export class UsersController {
  constructor(
    @Inject(USERS) private readonly users: UsersService,
    @Inject(ACCESS_LOG) private readonly accessLog: AccessLogService,
  ) {}

  @Roles('admin')
  @Get()
  list() {
    return this.users.list();
  }

  @Roles('admin')
  @Post()
  async create(@Body() body: unknown, @Req() admin: AuthedRequest) {
    const request = parseOrThrow(newUserSchema, body, 'body');
    if (await this.users.findByUsername(request.username)) {
      throw new ConflictException(`user ${request.username} exists`);
    }
    const row = await this.users.create(
      request.username,
      request.password,
      request.role,
    );
    await this.accessLog.record({
      user: admin.user,
      action: 'user.created',
      subject: row.username,
      detail: { role: row.role },
    });
    return { id: row.id, username: row.username, role: row.role };
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
