import { type DynamicModule, Module } from '@nestjs/common';

import { AUDIT } from '../tokens.js';
import { AuditController } from './audit.controller.js';
import type { AuditService } from './audit.service.js';

/**
 * The audit for auditors: verification of the anchored chains (all, or one
 * episode's), the access log, signed checkpoints. The service is made by the
 * app module (it asks the episode service who may read an episode); routes
 * are guarded by the app's global guard.
 */
@Module({})
export class AuditModule {
  static forRoot(audit: AuditService): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditController],
      providers: [{ provide: AUDIT, useValue: audit }],
      exports: [AUDIT],
    };
  }
}
