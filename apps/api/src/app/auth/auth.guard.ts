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
import { CLOCK } from '../tokens.js';

export const PUBLIC_ROUTE = 'mas:public';
/** Bound on the verified-token memo (it starts over when full). */
const MAX_REMEMBERED_TOKENS = 10_000;
export const ROLES = 'mas:roles';

/** A route anyone may call (health, login). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
/** The roles allowed on a route. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

interface RequestWithUser {
  headers: Record<string, string | string[] | undefined>;
  user?: AuthenticatedUser;
}

/** Every route needs a bearer token and one of its roles, unless public. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Tokens whose signature has been checked, until they expire: a client
   * sends the same token with every request, and checking the signature
   * each time was a twentieth of the write path. Expiry is still checked on
   * every request, against the service's clock (as the signature check).
   */
  private readonly verified = new Map<
    string,
    { readonly user: AuthenticatedUser; readonly expiresAtMs: number }
  >();

  private remember(
    token: string,
    user: AuthenticatedUser,
    expiresAtMs: number,
  ): void {
    if (this.verified.size >= MAX_REMEMBERED_TOKENS) this.verified.clear();
    this.verified.set(token, { user, expiresAtMs });
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
    let user: AuthenticatedUser;
    const nowMs = this.clock.now().getTime();
    const known = this.verified.get(token);
    if (known && known.expiresAtMs > nowMs) {
      user = known.user;
    } else {
      try {
        const claims = await this.jwt.verifyAsync<{
          sub: string;
          username: string;
          role: UserRole;
          exp: number;
        }>(token, { clockTimestamp: Math.floor(nowMs / 1000) });
        user = {
          id: claims.sub,
          username: claims.username,
          role: claims.role,
        };
        this.remember(token, user, claims.exp * 1000);
      } catch {
        this.verified.delete(token);
        throw new UnauthorizedException('the token is invalid or expired');
      }
    }
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(
      ROLES,
      targets,
    );
    if (roles && !roles.includes(user.role)) {
      throw new ForbiddenException(`the ${user.role} role may not do this`);
    }
    request.user = user;
    return true;
  }
}
