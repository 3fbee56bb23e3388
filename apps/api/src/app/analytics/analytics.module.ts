import { type DynamicModule, Module } from '@nestjs/common';

import { ANALYTICS } from '../tokens.js';
import { AnalyticsController } from './analytics.controller.js';
import type { AnalyticsService } from './analytics.service.js';

/**
 * The quality indicators (JSON, CSV), computed from the audit. The service
 * is made by the app module, as the other features' are; routes are guarded
 * by the app's global guard.
 */
@Module({})
export class AnalyticsModule {
  static forRoot(analytics: AnalyticsService): DynamicModule {
    return {
      module: AnalyticsModule,
      controllers: [AnalyticsController],
      providers: [{ provide: ANALYTICS, useValue: analytics }],
      exports: [ANALYTICS],
    };
  }
}
