import {
  Controller,
  Get,
  Inject,
  Logger,
  NotFoundException,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { AccessLogService } from '../access-log/access-log.service.js';
import type { Clock } from '../clock/clock.js';
import type { Configuration } from '../config/configuration.js';
import { ACCESS_LOG, CLOCK, CONFIG, OIDC, USERS } from '../tokens.js';
import { Public } from './auth.guard.js';
import { openBrowserSession } from './browser-session.js';
import {
  type OidcService,
  OidcSignInError,
  type OidcTransaction,
} from './oidc.service.js';
import { roleFromClaims, usernameFromClaims } from './oidc-claims.js';
import type { UsersService } from './users.service.js';

/** The cookie that carries one sign-in from the provider and back. */
export const OIDC_TRANSACTION_COOKIE = 'mas_oidc';
const OIDC_COOKIE_PATH = '/api/auth/oidc';
/** How long a sign-in at the provider may take. */
const TRANSACTION_SECONDS = 600;

/**
 * Why a sign-in through the provider did not end signed in: a code in the
 * web app's address (`/?sign-in-error=CODE`) that the sign-in page explains.
 */
export type SignInErrorCode =
  | 'denied'
  | 'failed'
  | 'expired'
  | 'no-role'
  | 'no-username'
  | 'disabled'
  | 'username-taken';

/**
 * A path of this site to return to after sign-in: starts with one slash
 * (never `//host` or `/\host`, which browsers read as another site),
 * printable ASCII with no backslash, bounded. Anything else returns to the
 * start page.
 */
export function safeReturnPath(value: unknown): string {
  // Printable ASCII only: a redirect header cannot carry other characters
  // (a percent-encoded path can).
  return typeof value === 'string' &&
    value.length <= 500 &&
    /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(value)
    ? value
    : '/';
}

@Controller('api/auth')
export class OidcController {
  private readonly logger = new Logger('OidcController');

  constructor(
    @Inject(OIDC) private readonly oidc: OidcService | null,
    @Inject(USERS) private readonly users: UsersService,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ACCESS_LOG) private readonly accessLog: AccessLogService,
    @Inject(CONFIG) private readonly config: Configuration,
  ) {}

  /** How one can sign in here: the sign-in page offers what is configured. */
  @Public()
  @Get('providers')
  providers() {
    return {
      password: true,
      oidc:
        this.oidc === null
          ? null
          : {
              label: this.oidc.settings.label,
              loginPath: `${OIDC_COOKIE_PATH}/login`,
            },
    };
  }

  /**
   * Starts a sign-in at the identity provider: the browser is sent there
   * (302) with a PKCE challenge, a state and a nonce; their secrets stay in
   * a signed httpOnly cookie (SameSite=Lax: it must come back with the
   * provider's redirect, a top-level navigation from another site).
   */
  @Public()
  @Get('oidc/login')
  async login(
    @Query('returnTo') returnTo: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const oidc = this.enabled();
    let started: Awaited<ReturnType<OidcService['begin']>>;
    try {
      started = await oidc.begin(safeReturnPath(returnTo));
    } catch (error) {
      return this.refuse(reply, error);
    }
    const nowSeconds = this.nowSeconds();
    const cookie = await this.jwt.signAsync(
      { typ: 'oidc', ...started.transaction, iat: nowSeconds },
      { expiresIn: TRANSACTION_SECONDS },
    );
    void reply.setCookie(OIDC_TRANSACTION_COOKIE, cookie, {
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      path: OIDC_COOKIE_PATH,
      maxAge: TRANSACTION_SECONDS,
    });
    await reply.redirect(started.url.href, 302);
  }

  /**
   * The provider's redirect back: the code exchanged and the ID token
   * checked, the user found or created with the role the claims give, the
   * web app's session opened, and the browser sent on to the web app.
   * Every refusal goes to the sign-in page with a code that says why.
   */
  @Public()
  @Get('oidc/callback')
  async callback(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const oidc = this.enabled();
    const transaction = await this.transaction(request);
    void reply.clearCookie(OIDC_TRANSACTION_COOKIE, { path: OIDC_COOKIE_PATH });
    if (transaction === null) return this.failed(reply, 'expired');
    const query = request.url.includes('?')
      ? request.url.slice(request.url.indexOf('?'))
      : '';
    let claims: Readonly<Record<string, unknown>>;
    try {
      claims = await oidc.complete(query, transaction);
    } catch (error) {
      return this.refuse(reply, error);
    }
    const { settings } = oidc;
    const username = usernameFromClaims(claims, settings.usernameClaim);
    if (username === null) return this.failed(reply, 'no-username');
    const role = roleFromClaims(claims, settings.roleClaim, settings.roleMap);
    if ('problem' in role) {
      this.logger.warn(`sign-in of ${username} refused: ${role.problem}`);
      return this.failed(reply, 'no-role');
    }
    const outcome = await this.users.signInFederated({
      issuer: settings.issuer.href,
      subject: String(claims['sub']),
      username,
      role: role.role,
    });
    if (!outcome.ok) return this.failed(reply, outcome.problem);
    const { user } = outcome;
    const self = { id: user.id, username: user.username, role: user.role };
    const by = { by: 'identity provider', issuer: settings.issuer.href };
    if (outcome.previousRole === null) {
      await this.accessLog.record({
        user: self,
        action: 'user.created',
        subject: user.username,
        detail: { role: user.role, ...by },
      });
    } else if (outcome.previousRole !== user.role) {
      await this.accessLog.record({
        user: self,
        action: 'user.role.changed',
        subject: user.username,
        detail: { from: outcome.previousRole, to: user.role, ...by },
      });
    }
    if (outcome.claimedUsername !== undefined) {
      // Kept under its first name; the provider's new one is recorded.
      await this.accessLog.record({
        user: self,
        action: 'user.rename.refused',
        subject: user.username,
        detail: { claimed: outcome.claimedUsername, ...by },
      });
    }
    await openBrowserSession(
      { jwt: this.jwt, clock: this.clock, config: this.config },
      reply,
      request.protocol === 'https',
      user,
    );
    await reply.redirect(transaction.returnTo, 302);
  }

  private enabled(): OidcService {
    if (this.oidc === null) {
      throw new NotFoundException(
        'single sign-on is not configured (OIDC_ISSUER)',
      );
    }
    return this.oidc;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  /** The sign-in under way, from its cookie (null: absent, forged or old). */
  private async transaction(
    request: FastifyRequest,
  ): Promise<OidcTransaction | null> {
    const cookie = request.cookies[OIDC_TRANSACTION_COOKIE];
    if (!cookie) return null;
    try {
      const claims = await this.jwt.verifyAsync<
        OidcTransaction & { typ?: string }
      >(cookie, { clockTimestamp: this.nowSeconds() });
      return claims.typ === 'oidc'
        ? {
            state: claims.state,
            nonce: claims.nonce,
            verifier: claims.verifier,
            returnTo: safeReturnPath(claims.returnTo),
          }
        : null;
    } catch {
      return null;
    }
  }

  private async refuse(reply: FastifyReply, error: unknown): Promise<void> {
    if (!(error instanceof OidcSignInError)) throw error;
    this.logger.warn(`sign-in through the identity provider: ${error.message}`);
    return this.failed(reply, error.code);
  }

  private async failed(
    reply: FastifyReply,
    code: SignInErrorCode,
  ): Promise<void> {
    await reply.redirect(`/?sign-in-error=${code}`, 302);
  }
}
