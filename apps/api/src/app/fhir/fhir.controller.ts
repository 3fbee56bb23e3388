import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { masProtocol } from '@mas/protocol';

import { Public, Roles } from '../auth/auth.guard.js';
import type { Clock } from '../clock/clock.js';
import {
  type AuthenticatedUser,
  ServiceError,
} from '../episodes/episodes.service.js';
import { fhirOutcomeOf } from '../http-errors.filter.js';
import { publicBaseUrl } from '../public-url.util.js';
import { CLOCK, FHIR } from '../tokens.js';
import { FhirRefusal, type FhirService } from './fhir.service.js';
import { capabilityStatement, operationOutcome } from './fhir-bundle.util.js';
import { FhirImportError } from './fhir-import.util.js';
import { checkFormat, FhirSearchError } from './fhir-search.util.js';

/** FHIR's JSON media type. */
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

type AuthedRequest = FastifyRequest & { user: AuthenticatedUser };

/** The endpoint's base URL as the caller reached it. */
function baseOf(request: FastifyRequest): string {
  return `${publicBaseUrl(request)}/api/fhir/R4`;
}

/**
 * FHIR R4, read-only (`/api/fhir/R4`): the CapabilityStatement, read,
 * search by patient, and `$everything`; answers in `application/fhir+json`,
 * refusals as OperationOutcome.
 */
@Controller('api/fhir/R4')
export class FhirController {
  constructor(
    @Inject(FHIR) private readonly fhir: FhirService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async answer(
    reply: FastifyReply,
    work: () => Promise<unknown>,
  ): Promise<void> {
    try {
      const body = await work();
      // Sent as its UTF-8 bytes, written once: handed the JSON text, the
      // server measures its UTF-8 length and then encodes it again, two
      // passes over the 600 kB of a whole export (the same bytes either way).
      await reply
        .status(200)
        .type(FHIR_JSON)
        .send(Buffer.from(JSON.stringify(body)));
    } catch (error) {
      if (!(error instanceof FhirRefusal)) throw error;
      await reply
        .status(error.status)
        .type(FHIR_JSON)
        .send(operationOutcome(error.code, error.message, error.expression));
    }
  }

  @Public()
  @Get('metadata')
  async metadata(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.answer(reply, () =>
      Promise.resolve(
        capabilityStatement({
          base: baseOf(request),
          version: masProtocol.version,
          date: this.clock.now().toISOString(),
        }),
      ),
    );
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':type')
  async search(
    @Param('type') type: string,
    @Query() query: Record<string, unknown>,
    @Req() request: AuthedRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.answer(reply, () =>
      this.fhir.search(type, query, request.user, baseOf(request)),
    );
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':type/:id')
  async read(
    @Param('type') type: string,
    @Param('id') id: string,
    @Query('_format') format: unknown,
    @Req() request: AuthedRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.answer(reply, () => {
      jsonOnly(format);
      return this.fhir.read(type, id, request.user);
    });
  }

  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get(':type/:id/$everything')
  async everything(
    @Param('type') type: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() request: AuthedRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.answer(reply, () => {
      jsonOnly(query['_format']);
      return this.fhir.everything(
        type,
        id,
        request.user,
        baseOf(request),
        query,
      );
    });
  }
}

/** `_format` on a read, checked as a search checks it (one rule). */
function jsonOnly(format: unknown): void {
  try {
    checkFormat({ _format: format });
  } catch (error) {
    if (!(error instanceof FhirSearchError)) throw error;
    throw new FhirRefusal(400, error.code, error.message, error.parameter);
  }
}

/**
 * FHIR R4 in (`POST /api/episodes/{id}/fhir`): a laboratory system's
 * results recorded as the episode's labs. Refusals are OperationOutcomes
 * naming the entry (`entry[3].resource.valueQuantity.unit`) and the rule.
 */
@Controller('api/episodes')
export class FhirImportController {
  constructor(@Inject(FHIR) private readonly fhir: FhirService) {}

  @Roles('clinician', 'senior')
  @Post(':id/fhir')
  async import(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: AuthedRequest,
    @Res() reply: FastifyReply,
  ) {
    try {
      const answer = await this.fhir.importLabs(id, body, request.user);
      if (answer.status >= 400) {
        // Refused partway (the protocol, or another change between two
        // samples): an OperationOutcome that says what was recorded first.
        const { recorded, ...refusal } = answer.body as {
          recorded?: { collectedAt: string }[];
          message?: unknown;
        };
        const before =
          recorded === undefined || recorded.length === 0
            ? 'nothing of the Bundle was recorded'
            : `recorded before it: the samples of ${recorded.map((r) => r.collectedAt).join(', ')}`;
        await reply
          .status(answer.status)
          .type(FHIR_JSON)
          .send(
            fhirOutcomeOf(answer.status, {
              ...refusal,
              message: `${typeof refusal.message === 'string' ? refusal.message : `HTTP ${String(answer.status)}`} (${before})`,
            }),
          );
        return;
      }
      await reply.status(answer.status).send(answer.body);
    } catch (error) {
      const refusal =
        error instanceof FhirImportError
          ? { status: 400, field: error.field, message: error.message }
          : error instanceof ServiceError && error.status < 500
            ? {
                status: error.status,
                field:
                  typeof error.body['field'] === 'string'
                    ? error.body['field']
                    : undefined,
                message: error.message,
              }
            : null;
      if (refusal === null) throw error;
      await reply
        .status(refusal.status)
        .type(FHIR_JSON)
        .send(
          fhirOutcomeOf(refusal.status, {
            message: refusal.message,
            ...(refusal.field === undefined ? {} : { field: refusal.field }),
          }),
        );
    }
  }
}
