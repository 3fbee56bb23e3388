/**
 * The EHRs allowed to call the CDS Hooks services, and the check of the JWT
 * each call carries (CDS Hooks 2.0, "Trusting CDS Clients"): signed with a
 * key of the client's JWK Set (ES384 or RS384), `iss` a known client, `aud`
 * the service URL called, at most five minutes old, `jti` never seen before.
 */
import { readFileSync } from 'node:fs';

import {
  createLocalJWKSet,
  decodeJwt,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import { z } from 'zod';

import type { Clock } from '../clock/clock.js';

const clientsSchema = z.array(
  z
    .object({
      /** The client's issuer (`iss` of its JWTs). */
      iss: z.string().min(1),
      /** Its public keys. */
      jwks: z.object({
        keys: z.array(z.record(z.string(), z.unknown())).min(1),
      }),
    })
    .strict(),
);

export interface CdsClient {
  readonly iss: string;
  readonly jwks: JSONWebKeySet;
}

/** Reads `CDS_HOOKS_CLIENTS_FILE`; a bad file stops the start, naming it. */
export function readCdsClients(file: string): CdsClient[] {
  const parsed = clientsSchema.safeParse(
    JSON.parse(readFileSync(file, 'utf8')),
  );
  if (!parsed.success) {
    throw new Error(
      `CDS_HOOKS_CLIENTS_FILE (${file}): ${parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data.map((client) => ({
    iss: client.iss,
    jwks: client.jwks,
  }));
}

/** A refused call: why, for the 401's message. */
export class CdsAuthError extends Error {}

/** How old a client's JWT may be (the specification's five minutes). */
const MAX_AGE_SECONDS = 300;

export class CdsClients {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clients: readonly CdsClient[],
    private readonly clock: Clock,
  ) {}

  /** The calling client's issuer; throws a `CdsAuthError` saying why not. */
  async verify(
    authorization: string | undefined,
    audience: string,
  ): Promise<string> {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (token === undefined) {
      throw new CdsAuthError('a CDS client sends a bearer JWT');
    }
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new CdsAuthError('the bearer token is not a JWT');
    }
    const client = this.clients.find((c) => c.iss === issuer);
    if (!client) throw new CdsAuthError(`no CDS client ${String(issuer)}`);
    const now = this.clock.now();
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, createLocalJWKSet(client.jwks), {
        issuer: client.iss,
        audience,
        algorithms: ['ES384', 'RS384'],
        currentDate: now,
        maxTokenAge: MAX_AGE_SECONDS,
        requiredClaims: ['iat', 'exp', 'jti'],
      }));
    } catch (error) {
      throw new CdsAuthError(
        `the JWT is refused: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const jti = String(payload.jti);
    for (const [id, until] of this.seen) {
      if (until < now.getTime()) this.seen.delete(id);
    }
    if (this.seen.has(`${client.iss}|${jti}`)) {
      throw new CdsAuthError('the JWT was used before (jti)');
    }
    this.seen.set(
      `${client.iss}|${jti}`,
      now.getTime() + MAX_AGE_SECONDS * 1000 * 2,
    );
    return client.iss;
  }
}
