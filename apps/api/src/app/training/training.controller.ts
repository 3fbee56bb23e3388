import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
} from '@nestjs/common';

import { LogsRead } from '../access-log/access-log.interceptor.js';
import { Roles } from '../auth/auth.guard.js';
import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import { TRAINING } from '../tokens.js';
import type { TrainingService } from './training.service.js';

interface AuthedRequest {
  user: AuthenticatedUser;
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
