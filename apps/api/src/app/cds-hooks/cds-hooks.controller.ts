import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { Public } from '../auth/auth.guard.js';
import type { Clock } from '../clock/clock.js';
import type { Configuration } from '../config/configuration.js';
import { listeningBaseUrl, publicBaseUrl } from '../public-url.util.js';
import { RequestRefusal } from '../request-refusal.error.js';
import { CDS_HOOKS, CLOCK, CONFIG } from '../tokens.js';
import { CdsAuthError, type CdsClients } from './cds-clients.js';
import {
  CdsBadRequest,
  type CdsHooksService,
  CdsNotFound,
} from './cds-hooks.service.js';

/** The CDS Hooks service and the clients it trusts (null: not configured). */
export interface CdsHooks {
  readonly service: CdsHooksService;
  readonly clients: CdsClients;
}

/**
 * CDS Hooks 2.0 (`/cds-services`): discovery, the hooks, and feedback. Not
 * the app's session: each call carries the EHR's signed JWT. Without
 * `CDS_HOOKS_CLIENTS_FILE`, every route answers 404.
 */
@Controller('cds-services')
export class CdsHooksController {
  constructor(
    @Inject(CDS_HOOKS) private readonly hooks: CdsHooks | null,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: Configuration,
  ) {}

  private configured(): CdsHooks {
    if (this.hooks === null) {
      throw new NotFoundException('CDS Hooks is not configured here');
    }
    return this.hooks;
  }

  /**
   * This service's own URL (the JWT's audience): the public address the
   * configuration names (CDS_HOOKS_BASE_URL, needed behind a proxy), else
   * the address the connection arrived at, never the Host header (a caller
   * choosing it could replay a token issued to another service).
   */
  private urlOf(request: FastifyRequest): string {
    const base = this.config.CDS_HOOKS_BASE_URL ?? listeningBaseUrl(request);
    return `${base}${request.url.split('?')[0] ?? ''}`;
  }

  private async client(request: FastifyRequest, audience: string) {
    try {
      return await this.configured().clients.verify(
        request.headers.authorization,
        audience,
      );
    } catch (error) {
      if (error instanceof CdsAuthError) {
        throw new UnauthorizedException(error.message);
      }
      throw error;
    }
  }

  private refuse(error: unknown): never {
    if (error instanceof CdsNotFound)
      throw new NotFoundException(error.message);
    if (error instanceof CdsBadRequest) {
      throw new RequestRefusal(400, error.field, error.rule);
    }
    throw error;
  }

  @Public()
  @Get()
  discovery() {
    return this.configured().service.discovery();
  }

  @Public()
  @Post(':id')
  @HttpCode(200)
  async call(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ) {
    const hooks = this.configured();
    const client = await this.client(request, this.urlOf(request));
    const appUrl = this.config.CDS_HOOKS_BASE_URL ?? publicBaseUrl(request);
    try {
      return await hooks.service.call(
        id,
        body,
        client,
        appUrl,
        this.clock.now(),
      );
    } catch (error) {
      return this.refuse(error);
    }
  }

  @Public()
  @Post(':id/feedback')
  @HttpCode(200)
  async feedback(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ) {
    const hooks = this.configured();
    const client = await this.client(request, this.urlOf(request));
    try {
      await hooks.service.feedback(id, body, client, this.clock.now());
      return {};
    } catch (error) {
      return this.refuse(error);
    }
  }
}
