import { type DynamicModule, Module } from '@nestjs/common';

import type { Clock } from '../clock/clock.js';
import type { Configuration } from '../config/configuration.js';
import { CDS_HOOKS, CLOCK, CONFIG } from '../tokens.js';
import { type CdsHooks, CdsHooksController } from './cds-hooks.controller.js';

/** CDS Hooks 2.0 for the EHR (routes answer 404 when not configured). */
@Module({})
export class CdsHooksModule {
  static forRoot(
    hooks: CdsHooks | null,
    clock: Clock,
    config: Configuration,
  ): DynamicModule {
    return {
      module: CdsHooksModule,
      controllers: [CdsHooksController],
      providers: [
        { provide: CDS_HOOKS, useValue: hooks },
        { provide: CLOCK, useValue: clock },
        { provide: CONFIG, useValue: config },
      ],
    };
  }
}
