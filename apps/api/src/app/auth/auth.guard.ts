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

import type { Clock } from '../clock/clock.js';
import type {
  AuthenticatedUser,
  UserRole,
} from '../episodes/episodes.service.js';
import { CLOCK, USERS } from '../tokens.js';
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
}

/** The session a request was made in (its token). */
export interface RequestSession {
  readonly jti: string;
  readonly expiresAtMs: number;
}

interface RequestWithUser {
  headers: Record<string, string | string[] | undefined>;
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets))
      return true;
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const header = request.headers['authorization'];
    const token =
      typeof header === 'string' && header.startsWith('Bearer ')
        ? header.slice(7)
        : undefined;
    if (!token) throw new UnauthorizedException('a bearer token is required');
    let claims: TokenClaims;
    const nowMs = this.clock.now().getTime();
    const known = this.verified.get(token);
    if (known && known.expiresAtMs > nowMs) {
      claims = known.claims;
    } else {
      try {
        claims = await this.jwt.verifyAsync<TokenClaims>(token, {
          clockTimestamp: Math.floor(nowMs / 1000),
        });
        this.remember(token, claims, claims.exp * 1000);
      } catch {
        this.verified.delete(token);
        throw new UnauthorizedException('the token is invalid or expired');
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
    request.session = { jti: claims.jti ?? '', expiresAtMs: claims.exp * 1000 };
    return true;
  }
}
