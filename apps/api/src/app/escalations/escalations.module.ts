import { type DynamicModule, Module } from '@nestjs/common';

import { ESCALATIONS } from '../tokens.js';
import { EscalationsController } from './escalations.controller.js';
import type { EscalationsService } from './escalations.service.js';

/**
 * The escalation report (JSON, CSV), rebuilt from the audit. The service is
 * made by the app module, as the other features' are; routes are guarded by
 * the app's global guard.
 */
@Module({})
export class EscalationsModule {
  static forRoot(escalations: EscalationsService): DynamicModule {
    return {
      module: EscalationsModule,
      controllers: [EscalationsController],
      providers: [{ provide: ESCALATIONS, useValue: escalations }],
      exports: [ESCALATIONS],
    };
  }
}
