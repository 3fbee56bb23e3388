import type { FastifyRequest } from 'fastify';

/**
 * This service's address as the client reached it: scheme and host of the
 * request, or, behind a proxy the configuration trusts (TRUST_PROXY), those
 * the proxy forwarded. A client's own X-Forwarded-* are ignored otherwise.
 */
export function publicBaseUrl(
  request: Pick<FastifyRequest, 'protocol' | 'host'>,
): string {
  return `${request.protocol}://${request.host || '127.0.0.1'}`;
}
