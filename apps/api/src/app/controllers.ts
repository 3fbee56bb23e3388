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
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { z } from 'zod';

import { parseOrThrow } from '@mas/contracts';
import { masEpisodeMachine } from '@mas/mas-episode';
import { evidenceCatalog, masProtocol } from '@mas/protocol';

import { Public, Roles } from './auth/auth.guard.js';
import type { UsersService } from './auth/users.service.js';
import type {
  AuthenticatedUser,
  EpisodesService,
} from './episodes/episodes.service.js';
import { EPISODES, USERS } from './tokens.js';

interface AuthedRequest {
  user: AuthenticatedUser;
}
interface Reply {
  status(code: number): Reply;
  json(body: unknown): void;
}

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
    const token = await this.jwt.signAsync({
      sub: user.id,
      username: user.username,
      role: user.role,
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
  list(@Query() query: Record<string, unknown>, @Req() request: AuthedRequest) {
    return this.episodes.list(query, request.user);
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':id')
  get(@Param('id') id: string, @Req() request: AuthedRequest) {
    return this.episodes.get(id, request.user);
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':id/state')
  state(
    @Param('id') id: string,
    @Query('at') at: unknown,
    @Req() request: AuthedRequest,
  ) {
    return this.episodes.stateAt(id, at, request.user);
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':id/audit')
  audit(@Param('id') id: string, @Req() request: AuthedRequest) {
    return this.episodes.audit(id, request.user);
  }

  @Roles('clinician', 'senior', 'trainee')
  @Post(':id/events')
  async send(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: AuthedRequest,
    @Res() reply: Reply,
  ) {
    const outcome = await this.episodes.send(
      id,
      body,
      request.user,
      idempotencyKey,
    );
    reply.status(outcome.status).json(outcome.body);
  }
}

@Controller('api')
export class AuditController {
  constructor(@Inject(EPISODES) private readonly episodes: EpisodesService) {}

  @Roles('auditor', 'senior', 'clinician', 'admin')
  @Get('audit/verify')
  verify() {
    return this.episodes.verifyAudit();
  }

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
