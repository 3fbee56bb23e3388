import { type DynamicModule, Module } from '@nestjs/common';

import { WORK_ITEMS } from '../tokens.js';
import { WorkItemsController } from './work-items.controller.js';
import type { WorkItemsService } from './work-items.service.js';

/**
 * Work items: the machine's effects (second-senior approvals,
 * countersignatures, alerts) as a list. The service is made by the app
 * module, because the episode service writes items in its transactions;
 * routes are guarded by the app's global guard.
 */
@Module({})
export class WorkItemsModule {
  static forRoot(workItems: WorkItemsService): DynamicModule {
    return {
      module: WorkItemsModule,
      controllers: [WorkItemsController],
      providers: [{ provide: WORK_ITEMS, useValue: workItems }],
      exports: [WORK_ITEMS],
    };
  }
}
