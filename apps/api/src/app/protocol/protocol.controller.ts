import { Controller, Get, Inject, Query } from '@nestjs/common';

import {
  parseOrThrow,
  type ProtocolDiffAnswer,
  protocolDiffQuerySchema,
  type ProtocolVersionList,
} from '@mas/contracts';
import { masEpisodeMachine } from '@mas/mas-episode';
import {
  evidenceCatalog,
  findProtocolVersion,
  masProtocol,
  type ProtocolVersion,
} from '@mas/protocol';

import { Roles } from '../auth/auth.guard.js';
import { PROTOCOL } from '../tokens.js';
import type { ProtocolService } from './protocol.service.js';

/** A version the query schema has already checked this build knows. */
function known(version: string): ProtocolVersion {
  const found = findProtocolVersion(version);
  if (found === undefined) throw new Error(`unknown version ${version}`);
  return found;
}

/**
 * The protocol the service runs: its identity, statechart and evidence; the
 * versions this build knows, and what one changes against another.
 */
@Controller('api')
export class ProtocolController {
  constructor(@Inject(PROTOCOL) private readonly protocols: ProtocolService) {}

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

  /** Each version (deployed, candidates), with the episodes recorded under it. */
  @Roles('clinician', 'senior', 'trainee', 'auditor', 'admin')
  @Get('protocol/versions')
  async versions(): Promise<ProtocolVersionList> {
    return this.protocols.versions();
  }

  /** `?from=A&to=B`: what B changes against A, each change with its evidence in words. */
  @Roles('clinician', 'senior', 'trainee', 'auditor', 'admin')
  @Get('protocol/diff')
  diff(@Query() query: unknown): ProtocolDiffAnswer {
    const { from, to } = parseOrThrow(protocolDiffQuerySchema, query, 'query');
    return this.protocols.diff(known(from), known(to));
  }
}
