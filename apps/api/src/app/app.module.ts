import { createSecretKey } from 'node:crypto';

import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import type { DataSource } from 'typeorm';

import type { InstitutionProfile } from '@mas/protocol';

import { AccessLogInterceptor } from './access-log/access-log.interceptor.js';
import { AccessLogService } from './access-log/access-log.service.js';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { AnalyticsService } from './analytics/analytics.service.js';
import { AuditModule } from './audit/audit.module.js';
import { AuditService } from './audit/audit.service.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { OidcController } from './auth/oidc.controller.js';
import { OidcService, oidcSettings } from './auth/oidc.service.js';
import { UsersController } from './auth/users.controller.js';
import { UsersService } from './auth/users.service.js';
import { CdsClients, readCdsClients } from './cds-hooks/cds-clients.js';
import { CdsHooksModule } from './cds-hooks/cds-hooks.module.js';
import { CdsHooksService } from './cds-hooks/cds-hooks.service.js';
import { ChangesModule } from './changes/changes.module.js';
import { EpisodeChangesService } from './changes/episode-changes.service.js';
import type { Clock } from './clock/clock.js';
import type { Configuration } from './config/configuration.js';
import type { Entities } from './database/entities.js';
import { EpisodesController } from './episodes/episodes.controller.js';
import { EpisodesService } from './episodes/episodes.service.js';
import { EscalationsModule } from './escalations/escalations.module.js';
import { EscalationsService } from './escalations/escalations.service.js';
import { FhirModule } from './fhir/fhir.module.js';
import { FhirService } from './fhir/fhir.service.js';
import { HealthModule } from './health/health.module.js';
import { HttpErrorsFilter } from './http-errors.filter.js';
import type { ServiceKeys } from './keys/service-keys.js';
import { ProtocolModule } from './protocol/protocol.module.js';
import { ProtocolService } from './protocol/protocol.service.js';
import {
  ACCESS_LOG,
  CLOCK,
  CONFIG,
  EPISODES,
  OIDC,
  TRAINING,
  USERS,
} from './tokens.js';
import { TrainingController } from './training/training.controller.js';
import { TrainingService } from './training/training.service.js';
import { WorkItemsModule } from './work-items/work-items.module.js';
import { WorkItemsService } from './work-items/work-items.service.js';

export interface AppDependencies {
  readonly config: Configuration;
  readonly dataSource: DataSource;
  readonly entities: Entities;
  readonly clock: Clock;
  readonly profile: InstitutionProfile;
  readonly keys: ServiceKeys;
}

@Module({})
export class AppModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const workItems = new WorkItemsService(deps.dataSource, deps.entities);
    const episodes = new EpisodesService(
      deps.dataSource,
      deps.entities,
      deps.clock,
      deps.profile,
      workItems,
      deps.keys.audit,
      deps.config.PROTOCOL_VERSION,
    );
    const accessLog = new AccessLogService(
      deps.dataSource,
      deps.entities.accessLog,
      deps.clock,
      deps.keys.audit,
    );
    const audit = new AuditService(
      deps.dataSource,
      deps.entities,
      deps.clock,
      deps.keys.audit,
      deps.keys.checkpoint,
      episodes,
      accessLog,
    );
    const escalations = new EscalationsService(
      deps.dataSource,
      deps.entities,
      accessLog,
    );
    const users = new UsersService(
      deps.dataSource,
      deps.entities,
      deps.clock,
      {
        maxFailures: deps.config.LOGIN_MAX_FAILURES,
        lockoutSeconds: deps.config.LOGIN_LOCKOUT_SECONDS,
        lockoutMaxSeconds: deps.config.LOGIN_LOCKOUT_MAX_SECONDS,
      },
      deps.config.PASSWORD_SCRYPT_COST,
    );
    const oidc = oidcSettings(deps.config);
    const changes = new EpisodeChangesService(
      deps.dataSource,
      deps.entities.episode,
      deps.config.CHANGES_POLL_MS,
    );
    return {
      module: AppModule,
      imports: [
        JwtModule.register({
          // A key object, made once: given a string, jsonwebtoken first tries
          // (and fails) to parse it as a public key on every verification.
          secret: createSecretKey(Buffer.from(deps.keys.jwtSecret, 'utf8')),
          verifyOptions: { algorithms: ['HS256'] },
          signOptions: { expiresIn: deps.config.TOKEN_TTL_SECONDS },
        }),
        AnalyticsModule.forRoot(
          new AnalyticsService(
            deps.dataSource,
            deps.entities,
            deps.profile,
            accessLog,
            deps.keys.audit,
          ),
        ),
        AuditModule.forRoot(audit),
        EscalationsModule.forRoot(escalations),
        HealthModule,
        ProtocolModule.forRoot(
          new ProtocolService(
            deps.dataSource,
            deps.entities,
            deps.config.PROTOCOL_VERSION,
          ),
        ),
        WorkItemsModule.forRoot(workItems),
        ChangesModule.forRoot(changes, {
          users,
          clock: deps.clock,
          recheckMs: deps.config.CHANGES_POLL_MS,
        }),
        CdsHooksModule.forRoot(
          deps.config.CDS_HOOKS_CLIENTS_FILE === undefined
            ? null
            : {
                service: new CdsHooksService(
                  deps.dataSource,
                  deps.entities,
                  episodes,
                  accessLog,
                  deps.profile,
                ),
                clients: new CdsClients(
                  readCdsClients(deps.config.CDS_HOOKS_CLIENTS_FILE),
                  deps.clock,
                ),
              },
          deps.clock,
          deps.config,
        ),
        FhirModule.forRoot(
          new FhirService(episodes, workItems, accessLog, deps.clock),
          deps.clock,
        ),
      ],
      controllers: [
        AuthController,
        EpisodesController,
        OidcController,
        TrainingController,
        UsersController,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorsFilter },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: ACCESS_LOG, useValue: accessLog },
        { provide: APP_INTERCEPTOR, useClass: AccessLogInterceptor },
        { provide: CONFIG, useValue: deps.config },
        { provide: CLOCK, useValue: deps.clock },
        {
          provide: OIDC,
          useValue: oidc === null ? null : new OidcService(oidc),
        },
        {
          provide: EPISODES,
          useValue: episodes,
        },
        {
          provide: TRAINING,
          useValue: new TrainingService(
            deps.dataSource,
            deps.entities,
            deps.clock,
            deps.profile,
            episodes,
          ),
        },
        {
          provide: USERS,
          useValue: users,
        },
      ],
      exports: [EPISODES, USERS, TRAINING],
    };
  }
}
