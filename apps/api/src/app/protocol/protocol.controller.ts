import { Controller, Get } from '@nestjs/common';

import { masEpisodeMachine } from '@mas/mas-episode';
import { evidenceCatalog, masProtocol } from '@mas/protocol';

import { Roles } from '../auth/auth.guard.js';

/** The protocol the service runs: its identity, statechart and evidence. */
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
