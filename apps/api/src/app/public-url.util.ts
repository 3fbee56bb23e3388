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

/**
 * The address the request arrived at, from the connection itself (scheme,
 * local address and port), never from a header: what a signed audience is
 * checked against when no public address is configured (a Host header is
 * the caller's to choose, so a token issued for another service would pass).
 */
export function listeningBaseUrl(
  request: Pick<FastifyRequest, 'socket'>,
): string {
  const socket = request.socket as FastifyRequest['socket'] & {
    encrypted?: boolean;
  };
  const scheme = socket.encrypted === true ? 'https' : 'http';
  const address = socket.localAddress ?? '127.0.0.1';
  const host = address.startsWith('::ffff:')
    ? address.slice('::ffff:'.length)
    : address.includes(':')
      ? `[${address}]`
      : address;
  return `${scheme}://${host}:${String(socket.localPort)}`;
}
