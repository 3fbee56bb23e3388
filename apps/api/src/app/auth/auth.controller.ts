import { randomUUID } from 'node:crypto';

import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';

import {
  loginSchema,
  parseOrThrow,
  passwordChangeSchema,
} from '@mas/contracts';

import type { AccessLogService } from '../access-log/access-log.service.js';
import type { Clock } from '../clock/clock.js';
import type { Configuration } from '../config/configuration.js';
import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import { ACCESS_LOG, CLOCK, CONFIG, USERS } from '../tokens.js';
import { Public, type RequestSession, SESSION_COOKIE } from './auth.guard.js';
import { openBrowserSession } from './browser-session.js';
import type { KnownDevice, UsersService } from './users.service.js';

/** The header with which the web app asks for a browser session. */
const SESSION_REQUEST_HEADER = 'x-mas-session';

/** The cookie that marks a device an account has signed in from. */
export const DEVICE_COOKIE = 'mas_device';
/** How long a device stays known without a sign-in. */
const DEVICE_TTL_SECONDS = 365 * 86_400;

/** The answer while a login is locked (429, with when to try again). */
function tooManyWrongPasswords(retryAfterSeconds: number): HttpException {
  return new HttpException(
    {
      message: `too many wrong passwords: try again in ${String(retryAfterSeconds)} s`,
      retryAfterSeconds,
    },
    429,
  );
}

interface SessionRequest extends FastifyRequest {
  user: AuthenticatedUser;
  session: RequestSession;
}

@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(USERS) private readonly users: UsersService,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ACCESS_LOG) private readonly accessLog: AccessLogService,
    @Inject(CONFIG) private readonly config: Configuration,
  ) {}

  /** A login token for the user at its current token version. */
  private issue(user: {
    id: string;
    username: string;
    role: string;
    tokenVersion: number;
  }) {
    // Issued at the service's clock (the expiry counts from it; tests move it).
    return this.jwt.signAsync({
      sub: user.id,
      username: user.username,
      role: user.role,
      jti: randomUUID(),
      tv: user.tokenVersion,
      iat: Math.floor(this.clock.now().getTime() / 1000),
    });
  }

  /** The device cookie's account, if the request carries a valid one. */
  private async knownDevice(
    request: FastifyRequest,
  ): Promise<KnownDevice | null> {
    const cookie = request.cookies[DEVICE_COOKIE];
    if (!cookie) return null;
    try {
      const claims = await this.jwt.verifyAsync<{
        typ?: string;
        sub: string;
        did: string;
      }>(cookie, {
        clockTimestamp: Math.floor(this.clock.now().getTime() / 1000),
      });
      return claims.typ === 'device'
        ? { id: claims.did, username: claims.sub }
        : null;
    } catch {
      return null;
    }
  }

  /**
   * Signs in. Wrong passwords in a row lock the login for a while (429 with
   * Retry-After), per account, or per device for a device this account has
   * signed in from before (its cookie): nobody can lock a user out of their
   * own workstation. Attempts per address are limited as well.
   */
  @Public()
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const credentials = parseOrThrow(loginSchema, body, 'body');
    const device = await this.knownDevice(request);
    const outcome = await this.users.login(
      credentials.username,
      credentials.password,
      device,
    );
    if (!outcome.ok) {
      if (outcome.status === 429) {
        void reply.header('retry-after', String(outcome.retryAfterSeconds));
        throw tooManyWrongPasswords(outcome.retryAfterSeconds);
      }
      throw new UnauthorizedException('unknown user or wrong password');
    }
    const { user } = outcome;
    const deviceToken = await this.jwt.signAsync(
      {
        typ: 'device',
        sub: user.username,
        did: device?.username === user.username ? device.id : randomUUID(),
        iat: Math.floor(this.clock.now().getTime() / 1000),
      },
      { expiresIn: DEVICE_TTL_SECONDS },
    );
    void reply.setCookie(DEVICE_COOKIE, deviceToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      path: '/api/auth',
      maxAge: DEVICE_TTL_SECONDS,
    });
    // The web app asks for a browser session: an httpOnly cookie that page
    // script never reads, and the CSRF token its changes must carry.
    if (request.headers[SESSION_REQUEST_HEADER] === 'cookie') {
      const { csrf } = await openBrowserSession(
        { jwt: this.jwt, clock: this.clock, config: this.config },
        reply,
        request.protocol === 'https',
        user,
      );
      return {
        username: user.username,
        role: user.role,
        csrf,
        idleSeconds: this.config.SESSION_IDLE_SECONDS,
      };
    }
    return {
      token: await this.issue(user),
      username: user.username,
      role: user.role,
    };
  }

  /**
   * Who is signed in (a new tab of the web app asks), with the session's
   * CSRF token when it is a browser session.
   */
  @Get('session')
  session(@Req() request: SessionRequest) {
    return {
      username: request.user.username,
      role: request.user.role,
      ...(request.session.csrf === undefined
        ? {}
        : {
            csrf: request.session.csrf,
            idleSeconds: this.config.SESSION_IDLE_SECONDS,
          }),
    };
  }

  /** Signs this session out: its token is refused from now on. */
  @Post('logout')
  @HttpCode(204)
  async logout(
    @Req() request: SessionRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.users.revokeToken(
      request.user.id,
      request.session.jti,
      new Date(request.session.expiresAtMs),
    );
    void reply.clearCookie(SESSION_COOKIE, { path: '/api' });
  }

  /** Signs every session of the caller out (every device). */
  @Post('logout-everywhere')
  @HttpCode(204)
  async logoutEverywhere(@Req() request: SessionRequest): Promise<void> {
    await this.users.revokeAll(request.user.id);
  }

  /**
   * Changes the caller's password (the current one required, the policy
   * applied); every other session ends; the answer is a new token.
   */
  @Post('password')
  @HttpCode(200)
  async changePassword(@Body() body: unknown, @Req() request: SessionRequest) {
    const change = parseOrThrow(passwordChangeSchema, body, 'body');
    const user = await this.users.findById(request.user.id);
    if (!user) throw new UnauthorizedException('the account is gone');
    if ((user.oidcIssuer ?? null) !== null) {
      throw new ConflictException(
        'this account signs in through the identity provider: its password is changed there',
      );
    }
    const check = await this.users.login(
      user.username,
      change.currentPassword,
      null,
    );
    if (!check.ok) {
      if (check.status === 429) {
        throw tooManyWrongPasswords(check.retryAfterSeconds);
      }
      throw new UnauthorizedException(
        'body.currentPassword: the current password is wrong',
      );
    }
    const updated = await this.users.setPassword(
      user,
      change.newPassword,
      'body.newPassword',
    );
    await this.accessLog.record({
      user: request.user,
      action: 'user.password.changed',
      subject: user.username,
    });
    return {
      token: await this.issue(updated),
      username: updated.username,
      role: updated.role,
    };
  }
}
