import { Module } from '@nestjs/common';

import { HealthController } from './health.controller.js';

/** `GET /api/health`: public (no token), for probes. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
