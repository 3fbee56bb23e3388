import { type DynamicModule, Module } from '@nestjs/common';

import { PROTOCOL } from '../tokens.js';
import { ProtocolController } from './protocol.controller.js';
import type { ProtocolService } from './protocol.service.js';

/**
 * `GET /api/protocol`, its versions and their diff. The service is made by
 * the app module, as the other features' are; routes are guarded by the
 * app's global guard.
 */
@Module({})
export class ProtocolModule {
  static forRoot(protocols: ProtocolService): DynamicModule {
    return {
      module: ProtocolModule,
      controllers: [ProtocolController],
      providers: [{ provide: PROTOCOL, useValue: protocols }],
      exports: [PROTOCOL],
    };
  }
}
