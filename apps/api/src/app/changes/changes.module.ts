import { type DynamicModule, Module } from '@nestjs/common';

import { EPISODE_CHANGES } from '../tokens.js';
import { ChangesController } from './changes.controller.js';
import type { EpisodeChangesService } from './episode-changes.service.js';

/** Live changes of episodes for the pages (server-sent events). */
@Module({})
export class ChangesModule {
  static forRoot(changes: EpisodeChangesService): DynamicModule {
    return {
      module: ChangesModule,
      controllers: [ChangesController],
      providers: [{ provide: EPISODE_CHANGES, useValue: changes }],
    };
  }
}
