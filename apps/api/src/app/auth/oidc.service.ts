/**
 * Single sign-on through the hospital's identity provider: OpenID Connect,
 * authorization code flow with PKCE, by `openid-client` (a certified relying
 * party). This class holds the provider's discovered configuration; the
 * transaction of one sign-in (state, nonce, PKCE verifier) travels in a
 * signed, short-lived cookie, so that any instance of the service can finish
 * it.
 */
import * as client from 'openid-client';

import type { Configuration } from '../config/configuration.js';
import { claimAt } from './oidc-claims.js';
import type { UserRole } from './roles.js';

/** The provider's settings, from the configuration. */
export interface OidcSettings {
  readonly issuer: URL;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly redirectUri: URL;
  readonly scopes: string;
  readonly roleClaim: string;
  readonly roleMap: readonly (readonly [string, UserRole])[];
  readonly usernameClaim: string;
  readonly label: string;
  readonly allowHttp: boolean;
}

/** The provider's settings, or null when single sign-on is not configured. */
export function oidcSettings(config: Configuration): OidcSettings | null {
  if (
    config.OIDC_ISSUER === undefined ||
    config.OIDC_CLIENT_ID === undefined ||
    config.OIDC_REDIRECT_URI === undefined ||
    config.OIDC_ROLE_CLAIM === undefined ||
    config.OIDC_ROLE_MAP === undefined
  ) {
    return null;
  }
  const scopes = new Set(config.OIDC_SCOPES.split(/\s+/).filter(Boolean));
  scopes.add('openid');
  return {
    issuer: new URL(config.OIDC_ISSUER),
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    redirectUri: new URL(config.OIDC_REDIRECT_URI),
    scopes: [...scopes].join(' '),
    roleClaim: config.OIDC_ROLE_CLAIM,
    roleMap: config.OIDC_ROLE_MAP,
    usernameClaim: config.OIDC_USERNAME_CLAIM,
    label: config.OIDC_LABEL,
    allowHttp: config.OIDC_ALLOW_HTTP,
  };
}

/** One sign-in under way: what the callback must find again. */
export interface OidcTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  /** Where the web app goes once signed in (a path of this site). */
  readonly returnTo: string;
}

/** The provider refused or the answer did not check out. */
export class OidcSignInError extends Error {
  constructor(
    /** `denied`: the user (or the provider's policy) said no. */
    readonly code: 'denied' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

export class OidcService {
  private discovered: Promise<client.Configuration> | null = null;

  constructor(readonly settings: OidcSettings) {}

  /**
   * The provider's metadata, discovered on first use and kept; a failed
   * discovery is tried again at the next sign-in (the service starts and
   * serves local accounts while the provider is down).
   */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(
        this.settings.issuer,
        this.settings.clientId,
        this.settings.clientSecret,
        this.settings.clientSecret === undefined ? client.None() : undefined,
        this.settings.allowHttp
          ? // Deprecated only to stand out: allowed for tests (OIDC_ALLOW_HTTP).
            // eslint-disable-next-line @typescript-eslint/no-deprecated
            { execute: [client.allowInsecureRequests] }
          : undefined,
      )
      .catch((error: unknown) => {
        this.discovered = null;
        throw new OidcSignInError(
          'failed',
          `the identity provider could not be reached: ${describe(error)}`,
        );
      });
    return this.discovered;
  }

  /** Starts a sign-in: the provider's authorization URL and what to keep. */
  async begin(
    returnTo: string,
  ): Promise<{ readonly url: URL; readonly transaction: OidcTransaction }> {
    const configuration = await this.configuration();
    const transaction: OidcTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      returnTo,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUri.href,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(
        transaction.verifier,
      ),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
      // Always ask who signs in: on a shared ward computer the provider's
      // session of the previous user must not sign the next one in.
      prompt: 'login',
    });
    return { url, transaction };
  }

  /**
   * Finishes a sign-in from the callback's query: exchanges the code (with
   * the PKCE verifier), checks the ID token (issuer, audience, signature,
   * nonce, expiry) and gives its claims, with the UserInfo claims when the
   * ID token lacks the role or username claim.
   */
  async complete(
    query: string,
    transaction: OidcTransaction,
  ): Promise<Readonly<Record<string, unknown>>> {
    const configuration = await this.configuration();
    // The callback as registered, with the query the provider sent: the
    // request's own Host header is not trusted.
    const current = new URL(this.settings.redirectUri);
    current.search = query;
    const error = current.searchParams.get('error');
    if (error !== null) {
      throw new OidcSignInError(
        error === 'access_denied' ? 'denied' : 'failed',
        `the identity provider answered ${error}`,
      );
    }
    try {
      const tokens = await client.authorizationCodeGrant(
        configuration,
        current,
        {
          pkceCodeVerifier: transaction.verifier,
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
          idTokenExpected: true,
        },
      );
      const claims: Record<string, unknown> = { ...tokens.claims() };
      const subject = claims['sub'];
      if (
        typeof subject === 'string' &&
        (claimAt(claims, this.settings.roleClaim) === undefined ||
          claimAt(claims, this.settings.usernameClaim) === undefined) &&
        configuration.serverMetadata().userinfo_endpoint !== undefined
      ) {
        const info = await client.fetchUserInfo(
          configuration,
          tokens.access_token,
          subject,
        );
        return { ...info, ...claims };
      }
      return claims;
    } catch (caught) {
      throw new OidcSignInError('failed', describe(caught));
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
