/** The service's own routes: health and the protocol definition. */
import { Controller, Get } from '@nestjs/common';

import { masEpisodeMachine } from '@mas/mas-episode';
import { evidenceCatalog, masProtocol } from '@mas/protocol';

import { Public, Roles } from './auth/auth.guard.js';

@Controller('api')
export class HealthController {
  @Public()
  @Get('health')
  health() {
    return {
      status: 'ok',
      protocol: { version: masProtocol.version, hash: masProtocol.hash },
    };
  }
}

@Controller('api')
export class ProtocolController {
  @Roles('clinician', 'senior', 'trainee', 'auditor', 'admin')
  @Get('protocol')
  protocol() {
    return {
      id: masProtocol.id,
      version: masProtocol.version,
      hash: masProtocol.hash,
      machine: masEpisodeMachine.definition,
      evidence: evidenceCatalog,
    };
  }
}
