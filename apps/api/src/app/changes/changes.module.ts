import { type DynamicModule, Module } from '@nestjs/common';

import { EPISODE_CHANGES, STREAM_SESSIONS } from '../tokens.js';
import {
  ChangesController,
  type StreamSessions,
} from './changes.controller.js';
import type { EpisodeChangesService } from './episode-changes.service.js';

/** Live changes of episodes for the pages (server-sent events). */
@Module({})
export class ChangesModule {
  static forRoot(
    changes: EpisodeChangesService,
    sessions: StreamSessions,
  ): DynamicModule {
    return {
      module: ChangesModule,
      controllers: [ChangesController],
      providers: [
        { provide: EPISODE_CHANGES, useValue: changes },
        { provide: STREAM_SESSIONS, useValue: sessions },
      ],
    };
  }
}
