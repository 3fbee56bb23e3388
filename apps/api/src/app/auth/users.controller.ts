import {
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
  Req,
} from '@nestjs/common';

import {
  newUserSchema,
  parseOrThrow,
  passwordResetSchema,
  userChangeSchema,
} from '@mas/contracts';

import type { AccessLogService } from '../access-log/access-log.service.js';
import type { UserRow } from '../database/entities.js';
import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import { ACCESS_LOG, USERS } from '../tokens.js';
import { Roles } from './auth.guard.js';
import type { UsersService } from './users.service.js';

/** A user of the identity provider (no local password, role from claims). */
function isFederated(user: UserRow): boolean {
  return (user.oidcIssuer ?? null) !== null;
}

interface AuthedRequest {
  user: AuthenticatedUser;
}

/** User administration (admins), every act in the access log. */
@Controller('api/users')
export class UsersController {
  constructor(
    @Inject(USERS) private readonly users: UsersService,
    @Inject(ACCESS_LOG) private readonly accessLog: AccessLogService,
  ) {}

  @Roles('admin')
  @Get()
  list() {
    return this.users.list();
  }

  @Roles('admin')
  @Post()
  async create(@Body() body: unknown, @Req() admin: AuthedRequest) {
    const request = parseOrThrow(newUserSchema, body, 'body');
    if (await this.users.findByUsername(request.username)) {
      throw new ConflictException(`user ${request.username} exists`);
    }
    // Names that differ only in case would read as one person in the audit.
    const folded = request.username.toLowerCase();
    const alike = (await this.users.list()).find(
      (user) => user.username.toLowerCase() === folded,
    );
    if (alike) {
      throw new ConflictException(
        `user ${alike.username} exists: a name that differs only in case is not another user`,
      );
    }
    const row = await this.users.create(
      request.username,
      request.password,
      request.role,
    );
    await this.accessLog.record({
      user: admin.user,
      action: 'user.created',
      subject: row.username,
      detail: { role: row.role },
    });
    return this.users.summary(row);
  }

  private async target(id: string) {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundException(`no user ${id}`);
    return user;
  }

  /**
   * A role change or a disable/enable: the user's sessions end at once. An
   * admin cannot disable or demote themselves (nobody would be left to undo
   * it).
   */
  @Roles('admin')
  @Patch(':id')
  async change(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() admin: AuthedRequest,
  ) {
    const change = parseOrThrow(userChangeSchema, body, 'body');
    const user = await this.target(id);
    if (
      user.id === admin.user.id &&
      (change.disabled === true ||
        (change.role !== undefined && change.role !== 'admin'))
    ) {
      throw new ForbiddenException(
        'an admin cannot disable or demote their own account',
      );
    }
    if (
      change.role !== undefined &&
      change.role !== user.role &&
      isFederated(user)
    ) {
      throw new ConflictException(
        `body.role: ${user.username} signs in through the identity provider, whose claims give the role at each sign-in: change it there`,
      );
    }
    const updated = await this.users.change(user, change);
    const actions = [
      ...(change.role !== undefined && change.role !== user.role
        ? [['user.role.changed', { from: user.role, to: change.role }] as const]
        : []),
      ...(change.disabled === true && user.disabledAt === null
        ? [['user.disabled', undefined] as const]
        : []),
      ...(change.disabled === false && user.disabledAt !== null
        ? [['user.enabled', undefined] as const]
        : []),
    ];
    for (const [action, detail] of actions) {
      await this.accessLog.record({
        user: admin.user,
        action,
        subject: user.username,
        ...(detail ? { detail } : {}),
      });
    }
    return this.users.summary(updated);
  }

  /** A password reset by an admin (the policy applies); sessions end. */
  @Roles('admin')
  @Post(':id/password')
  async resetPassword(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() admin: AuthedRequest,
  ) {
    const { password } = parseOrThrow(passwordResetSchema, body, 'body');
    const user = await this.target(id);
    if (isFederated(user)) {
      throw new ConflictException(
        `${user.username} signs in through the identity provider and has no password here`,
      );
    }
    const updated = await this.users.setPassword(
      user,
      password,
      'body.password',
    );
    await this.accessLog.record({
      user: admin.user,
      action: 'user.password.reset',
      subject: user.username,
    });
    return this.users.summary(updated);
  }
}
