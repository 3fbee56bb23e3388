/**
 * The service's configuration: one validated schema. A bad value stops the
 * start with a message naming it. See the README's table.
 */
import { isIP } from 'node:net';

import { z } from 'zod';

import { deployedProtocolVersions, masProtocol } from '@mas/protocol';

import {
  DEFAULT_SCRYPT_COST,
  MAX_SCRYPT_COST,
  MIN_PASSWORD_LENGTH,
  MIN_SCRYPT_COST,
} from '../auth/password.util.js';
import { USER_ROLES, type UserRole } from '../auth/roles.js';
import {
  DEFAULT_GROUP_COMMIT_MAX,
  MAX_GROUP_COMMIT,
} from '../database/write-gate.js';

/** Where the identity provider sends the browser back (OIDC_REDIRECT_URI). */
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

export const configurationSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    /** Embedded database file (SQLite), used unless DATABASE_URL is set. */
    SQLITE_PATH: z.string().min(1).default('data/mas.sqlite'),
    /** NORMAL survives a killed process; FULL survives power loss. */
    SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
    /**
     * How many writes queued together may share one commit on SQLite
     * (group commit; 1: each write commits alone).
     */
    SQLITE_GROUP_COMMIT_MAX: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_GROUP_COMMIT)
      .default(DEFAULT_GROUP_COMMIT_MAX),
    /** PostgreSQL, for several service instances. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    ADMIN_USERNAME: z.string().min(1).optional(),
    ADMIN_PASSWORD: z
      .string()
      .min(
        MIN_PASSWORD_LENGTH,
        `must be at least ${MIN_PASSWORD_LENGTH} characters`,
      )
      .optional(),
    /** Token signing key; generated and kept in KEYS_DIR when not set. */
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * The audit's HMAC key; generated and kept in KEYS_DIR when not set. Never
     * stored in the database: whoever can write the database cannot forge the
     * audit without it.
     */
    AUDIT_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * Where generated keys are kept: outside the data folder, so that a copy or
     * backup of the data carries no key (0700, each file 0600).
     */
    KEYS_DIR: z.string().min(1).default('keys'),
    /**
     * The deployed protocol version new episodes open under (the institution's
     * current version); running episodes keep theirs until migrated.
     */
    PROTOCOL_VERSION: z
      .string()
      .refine(
        (v) => deployedProtocolVersions.some((d) => d.version === v),
        `must be a deployed protocol version (${deployedProtocolVersions.map((d) => d.version).join(', ')})`,
      )
      .default(masProtocol.version),
    /** Institution profile file; the shipped EXAMPLE profile when unset. */
    PROFILE_PATH: z.string().min(1).optional(),
    /** The data folder (a signing key an older version kept here is moved to KEYS_DIR). */
    DATA_DIR: z.string().min(1).default('data'),
    /** The built web app served at `/` (`npm start` builds it; absent: API only). */
    WEB_DIR: z.string().min(1).default('dist/web'),
    /**
     * How often the service looks for changed episodes while a page listens
     * (server-sent events at /api/changes): one query per interval per
     * instance, whatever the number of pages.
     */
    CHANGES_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
    /** How often the scheduler looks for due times (0: only at start). */
    SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
    /**
     * Demo users and demo episodes on an empty database: only when asked for
     * (`npm start` asks). Otherwise an empty database gets the admin account
     * alone.
     */
    DEMO_DATA: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    /**
     * Wrong passwords in a row before a login is locked for a while (per
     * account, for clients without a device cookie of that account; per
     * device cookie otherwise).
     */
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    /** The first lock's length; each further failure doubles it ... */
    LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).default(60),
    /** ... up to this (a lock never lasts longer). */
    LOGIN_LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).default(900),
    /**
     * scrypt's work factor for password hashes, as log2 of N (15: 32 MiB and
     * about 0.1–0.2 s per hash; OWASP advises 17). Hashes made at another
     * factor still verify and are made again at the user's next login.
     * Below 15 only for tests (the service warns at start).
     */
    PASSWORD_SCRYPT_COST: z.coerce
      .number()
      .int()
      .min(MIN_SCRYPT_COST)
      .max(MAX_SCRYPT_COST)
      .default(DEFAULT_SCRYPT_COST),
    /** Login attempts per minute from one address (@fastify/rate-limit). */
    LOGIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    /**
     * Requests per minute from one address to an expensive route (the whole
     * audit's verification, a checkpoint).
     */
    EXPENSIVE_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    /**
     * A browser session (the web app's httpOnly cookie) ends after this long
     * without a request; it never outlives TOKEN_TTL_SECONDS from sign-in.
     */
    SESSION_IDLE_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(30 * 60),
    /** Lifetime of a login token, in seconds. */
    TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(8 * 3600),
    /**
     * HTTPS served directly: the certificate (chain) and its private key, PEM
     * files. Both or neither; without them, plain HTTP (behind a TLS proxy).
     */
    TLS_CERT: z.string().min(1).optional(),
    TLS_KEY: z.string().min(1).optional(),
    /**
     * Behind a reverse proxy that terminates TLS: which proxies to believe
     * about the client's scheme, host and address (X-Forwarded-Proto, -Host,
     * -For): the proxies' addresses or CIDR ranges, comma-separated, or
     * `true` (any sender: only where nothing but the proxy can reach the
     * service). Unset: those headers are ignored, so a client cannot claim
     * another scheme or host.
     */
    TRUST_PROXY: z
      .string()
      .trim()
      .min(1)
      .transform((text, context): true | string[] => {
        if (text === 'true') return true;
        const entries = text.split(',').map((entry) => entry.trim());
        const bad = entries.find((entry) => {
          const [address = '', bits, extra] = entry.split('/');
          const family = isIP(address);
          if (family === 0 || extra !== undefined) return true;
          if (bits === undefined) return false;
          const width = Number(bits);
          return !/^\d+$/.test(bits) || width > (family === 4 ? 32 : 128);
        });
        if (bad !== undefined) {
          context.addIssue({
            code: 'custom',
            message: `must be proxy addresses or CIDR ranges separated by commas, or true ("${bad}" is neither)`,
          });
          return z.NEVER;
        }
        return entries;
      })
      .optional(),
    /**
     * CDS Hooks: a JSON file listing the EHRs that may call
     * (`[{ "iss": "...", "jwks": { "keys": [...] } }]`). Unset: the CDS Hooks
     * routes answer 404.
     */
    CDS_HOOKS_CLIENTS_FILE: z.string().min(1).optional(),
    /**
     * This service's public address (`https://mas.hospital.example`), for
     * the CDS Hooks JWT audience and the cards' links; unset: as reached.
     */
    CDS_HOOKS_BASE_URL: z
      .url({ error: 'must be a URL' })
      .transform((value) => value.replace(/\/+$/, ''))
      .optional(),
    /**
     * Single sign-on: the OpenID Connect provider's issuer URL (discovery at
     * `/.well-known/openid-configuration`). Unset: local passwords only.
     */
    OIDC_ISSUER: z.url({ error: 'must be a URL' }).optional(),
    /** This service's client id at the provider. */
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    /** Its secret (a confidential client); unset: a public client (PKCE alone). */
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /**
     * The callback registered at the provider: this service's public address
     * followed by `/api/auth/oidc/callback`.
     */
    OIDC_REDIRECT_URI: z
      .url({ error: 'must be a URL' })
      .refine(
        (value) =>
          URL.canParse(value) && new URL(value).pathname === OIDC_CALLBACK_PATH,
        {
          error: `must end in ${OIDC_CALLBACK_PATH}`,
        },
      )
      .optional(),
    /** Scopes asked for (space-separated; `openid` is always asked). */
    OIDC_SCOPES: z.string().min(1).default('openid profile'),
    /**
     * The claim that holds the user's roles or groups at the provider (a
     * dotted path for a nested claim, as Keycloak's `realm_access.roles`).
     */
    OIDC_ROLE_CLAIM: z.string().min(1).optional(),
    /**
     * Which claim value gives which role here: `value=role` pairs separated
     * by commas, in order of precedence (a user holding several values gets
     * the first that is listed). A user holding none is refused.
     */
    OIDC_ROLE_MAP: z
      .string()
      .min(1)
      .transform((text, context) => {
        const pairs: [string, UserRole][] = [];
        for (const part of text.split(',')) {
          const [value, role, ...rest] = part.split('=').map((x) => x.trim());
          if (
            !value ||
            rest.length > 0 ||
            !(USER_ROLES as readonly string[]).includes(role ?? '')
          ) {
            context.addIssue({
              code: 'custom',
              message: `"${part.trim()}" is not value=role with a role of ${USER_ROLES.join(', ')}`,
            });
            return z.NEVER;
          }
          pairs.push([value, role as UserRole]);
        }
        return pairs;
      })
      .optional(),
    /** The claim that gives the username shown in the audit. */
    OIDC_USERNAME_CLAIM: z.string().min(1).default('preferred_username'),
    /** How the sign-in button names the provider. */
    OIDC_LABEL: z.string().min(1).max(60).default('hospital account'),
    /**
     * An `http://` issuer is refused unless this is true (tests and a
     * provider on the same machine only).
     */
    OIDC_ALLOW_HTTP: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
  })
  .refine((c) => (c.TLS_CERT === undefined) === (c.TLS_KEY === undefined), {
    path: ['TLS_KEY'],
    error: 'TLS_CERT and TLS_KEY go together: set both or neither',
  })
  .superRefine((c, context) => {
    if (c.OIDC_ISSUER === undefined) return;
    for (const key of [
      'OIDC_CLIENT_ID',
      'OIDC_REDIRECT_URI',
      'OIDC_ROLE_CLAIM',
      'OIDC_ROLE_MAP',
    ] as const) {
      if (c[key] === undefined) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: 'is needed with OIDC_ISSUER',
        });
      }
    }
    if (
      URL.canParse(c.OIDC_ISSUER) &&
      new URL(c.OIDC_ISSUER).protocol !== 'https:' &&
      !c.OIDC_ALLOW_HTTP
    ) {
      context.addIssue({
        code: 'custom',
        path: ['OIDC_ISSUER'],
        message: 'must be https (OIDC_ALLOW_HTTP=true allows http for tests)',
      });
    }
  });

export type Configuration = z.infer<typeof configurationSchema>;

export class ConfigurationError extends Error {}

export function loadConfiguration(
  env: Record<string, string | undefined>,
): Configuration {
  const parsed = configurationSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(
      `configuration: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
