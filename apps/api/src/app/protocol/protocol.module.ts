import { Module } from '@nestjs/common';

import { ProtocolController } from './protocol.controller.js';

/** `GET /api/protocol`, guarded by the app's global guard. */
@Module({ controllers: [ProtocolController] })
export class ProtocolModule {}
