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

import type {
  AuthenticatedUser,
  UserRole,
} from '../episodes/episodes.service.js';

export const PUBLIC_ROUTE = 'mas:public';
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
  ) {}

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
    try {
      const claims = await this.jwt.verifyAsync<{
        sub: string;
        username: string;
        role: UserRole;
      }>(token);
      user = { id: claims.sub, username: claims.username, role: claims.role };
    } catch {
      throw new UnauthorizedException('the token is invalid or expired');
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
