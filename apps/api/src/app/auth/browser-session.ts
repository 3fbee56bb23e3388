import { randomBytes, randomUUID } from 'node:crypto';

import type { JwtService } from '@nestjs/jwt';
import type { FastifyReply } from 'fastify';

import type { Clock } from '../clock/clock.js';
import type { Configuration } from '../config/configuration.js';
import { setSessionCookie } from './auth.guard.js';

/** The account a browser session is opened for. */
export interface SessionAccount {
  readonly id: string;
  readonly username: string;
  readonly role: string;
  readonly tokenVersion: number;
}

/**
 * Opens the web app's session: an httpOnly cookie that page script never
 * reads (idle timeout SESSION_IDLE_SECONDS, renewed in use by the guard),
 * and the CSRF token its changes must carry. Used by the password login
 * and by the identity provider's callback.
 */
export async function openBrowserSession(
  services: {
    readonly jwt: JwtService;
    readonly clock: Clock;
    readonly config: Configuration;
  },
  reply: FastifyReply,
  secure: boolean,
  user: SessionAccount,
): Promise<{ readonly csrf: string }> {
  const csrf = randomBytes(24).toString('base64url');
  // Issued at the service's clock (the expiry counts from it; tests move it).
  const nowSeconds = Math.floor(services.clock.now().getTime() / 1000);
  setSessionCookie(
    reply,
    await services.jwt.signAsync(
      {
        sub: user.id,
        username: user.username,
        role: user.role,
        jti: randomUUID(),
        tv: user.tokenVersion,
        typ: 'session',
        csrf,
        auth_time: nowSeconds,
        iat: nowSeconds,
      },
      { expiresIn: services.config.SESSION_IDLE_SECONDS },
    ),
    services.config.SESSION_IDLE_SECONDS,
    secure,
  );
  return { csrf };
}
