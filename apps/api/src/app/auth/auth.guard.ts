import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { FastifyReply } from 'fastify';

import type { Clock } from '../clock/clock.js';
import type { Configuration } from '../config/configuration.js';
import type {
  AuthenticatedUser,
  UserRole,
} from '../episodes/episodes.service.js';
import { CLOCK, CONFIG, USERS } from '../tokens.js';
import type { UsersService } from './users.service.js';

export const PUBLIC_ROUTE = 'mas:public';
/** Bound on the verified-token memo (it starts over when full). */
const MAX_REMEMBERED_TOKENS = 10_000;
export const ROLES = 'mas:roles';

/** A route anyone may call (health, login). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
/** The roles allowed on a route. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

/** What a login token says (see the login route). */
export interface TokenClaims {
  readonly sub: string;
  readonly username: string;
  readonly role: UserRole;
  /** The token's own id (signing out revokes it). */
  readonly jti?: string;
  /** The user's token version when it was issued. */
  readonly tv?: number;
  readonly exp: number;
  /** 'session': the web app's cookie; absent: an API (bearer) token. */
  readonly typ?: string;
  /** A session's CSRF token (the header a change must carry). */
  readonly csrf?: string;
  /** When the user signed in (seconds): a session never outlives the TTL. */
  readonly auth_time?: number;
}

/** The web app's session cookie (httpOnly). */
export const SESSION_COOKIE = 'mas_session';
/** The header a change made with the session cookie must carry. */
export const CSRF_HEADER = 'x-mas-csrf';

/**
 * A request the page made on its own (a live reload after a change made
 * elsewhere), not on the user's action: it is served, but it does not count
 * as activity, so a screen left on the board still signs out when idle.
 */
export const ACTIVITY_HEADER = 'x-mas-activity';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Sets the session cookie: httpOnly, SameSite=Strict, Secure over TLS. */
export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  maxAgeSeconds: number,
  secure: boolean,
): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/api',
    maxAge: maxAgeSeconds,
  });
}

/** The session a request was made in (its token). */
export interface RequestSession {
  readonly jti: string;
  readonly expiresAtMs: number;
  /** The token's claims (a long-lived stream checks them again). */
  readonly claims: TokenClaims;
  /** A cookie session's CSRF token. */
  readonly csrf?: string;
}

interface RequestWithUser {
  headers: Record<string, string | string[] | undefined>;
  cookies?: Record<string, string | undefined>;
  method?: string;
  protocol?: string;
  user?: AuthenticatedUser;
  session?: RequestSession;
}

/** Every route needs a bearer token and one of its roles, unless public. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(USERS) private readonly users: UsersService,
    @Inject(CONFIG) private readonly config: Configuration,
  ) {}

  /**
   * Tokens whose signature has been checked, until they expire: a client
   * sends the same token with every request, and checking the signature
   * each time was a twentieth of the write path. Expiry is still checked on
   * every request, against the service's clock (as the signature check),
   * and the user is looked up on every request (disabled, revoked, role).
   */
  private readonly verified = new Map<
    string,
    { readonly claims: TokenClaims; readonly expiresAtMs: number }
  >();

  private remember(
    token: string,
    claims: TokenClaims,
    expiresAtMs: number,
  ): void {
    if (this.verified.size >= MAX_REMEMBERED_TOKENS) this.verified.clear();
    this.verified.set(token, { claims, expiresAtMs });
  }

  /** Verifies a token (memoised until it expires); 401 when it fails. */
  private async claimsOf(token: string, nowMs: number): Promise<TokenClaims> {
    const known = this.verified.get(token);
    if (known && known.expiresAtMs > nowMs) return known.claims;
    try {
      const claims = await this.jwt.verifyAsync<TokenClaims>(token, {
        clockTimestamp: Math.floor(nowMs / 1000),
      });
      this.remember(token, claims, claims.exp * 1000);
      return claims;
    } catch {
      this.verified.delete(token);
      throw new UnauthorizedException(
        'the token is invalid or expired (or the session idle too long): sign in again',
      );
    }
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets))
      return true;
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithUser>();
    const header = request.headers['authorization'];
    const bearer =
      typeof header === 'string' && header.startsWith('Bearer ')
        ? header.slice(7)
        : undefined;
    // The web app's session: an httpOnly cookie (script never sees it).
    const cookie =
      bearer === undefined ? request.cookies?.[SESSION_COOKIE] : undefined;
    const token = bearer ?? cookie;
    if (!token) {
      throw new UnauthorizedException(
        'sign in first (a session cookie or a bearer token is required)',
      );
    }
    const nowMs = this.clock.now().getTime();
    const claims = await this.claimsOf(token, nowMs);
    // A session token travels only as the cookie, an API token only as a
    // bearer token.
    if ((claims.typ === 'session') !== (cookie !== undefined)) {
      throw new UnauthorizedException('the token is not valid here');
    }
    if (cookie !== undefined) {
      // Never longer than a token's lifetime from sign-in, idle or not.
      if (
        nowMs - (claims.auth_time ?? 0) * 1000 >
        this.config.TOKEN_TTL_SECONDS * 1000
      ) {
        throw new UnauthorizedException(
          'the session has reached its longest lifetime: sign in again',
        );
      }
      // A change made with the cookie must carry the session's CSRF token
      // (a page of another site can send the cookie, never this header).
      if (
        !SAFE_METHODS.has(request.method ?? 'GET') &&
        request.headers[CSRF_HEADER] !== claims.csrf
      ) {
        throw new ForbiddenException(
          `${CSRF_HEADER}: must be the session's CSRF token (from the sign-in or GET /api/auth/session)`,
        );
      }
    }
    const user = await this.users.activeUser(claims);
    if (!user) {
      throw new UnauthorizedException(
        'the session has ended (signed out, the password or role changed, or the account is disabled or gone): sign in again',
      );
    }
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(
      ROLES,
      targets,
    );
    if (roles && !roles.includes(user.role)) {
      throw new ForbiddenException(`the ${user.role} role may not do this`);
    }
    request.user = user;
    request.session = {
      jti: claims.jti ?? '',
      expiresAtMs: claims.exp * 1000,
      claims,
      ...(cookie !== undefined && claims.csrf !== undefined
        ? { csrf: claims.csrf }
        : {}),
    };
    // Idle timeout: each request past half the idle time renews the cookie,
    // unless the page made it on its own (a background reload).
    if (
      cookie !== undefined &&
      request.headers[ACTIVITY_HEADER] !== 'background' &&
      claims.exp * 1000 - nowMs < (this.config.SESSION_IDLE_SECONDS * 1000) / 2
    ) {
      const reply = http.getResponse<FastifyReply>();
      setSessionCookie(
        reply,
        await this.jwt.signAsync(
          {
            sub: claims.sub,
            username: claims.username,
            role: claims.role,
            jti: claims.jti,
            tv: claims.tv,
            typ: 'session',
            csrf: claims.csrf,
            auth_time: claims.auth_time,
            iat: Math.floor(nowMs / 1000),
          },
          { expiresIn: this.config.SESSION_IDLE_SECONDS },
        ),
        this.config.SESSION_IDLE_SECONDS,
        request.protocol === 'https',
      );
    }
    return true;
  }
}
