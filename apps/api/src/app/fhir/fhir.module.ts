import { type DynamicModule, Module } from '@nestjs/common';

import type { Clock } from '../clock/clock.js';
import { CLOCK, FHIR } from '../tokens.js';
import { FhirController, FhirImportController } from './fhir.controller.js';
import type { FhirService } from './fhir.service.js';

/**
 * FHIR R4, read-only: each episode as the resources a hospital system
 * expects. The service is made by the app module, as the other features'
 * are; routes are guarded by the app's global guard.
 */
@Module({})
export class FhirModule {
  static forRoot(fhir: FhirService, clock: Clock): DynamicModule {
    return {
      module: FhirModule,
      controllers: [FhirController, FhirImportController],
      providers: [
        { provide: FHIR, useValue: fhir },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [FHIR],
    };
  }
}
