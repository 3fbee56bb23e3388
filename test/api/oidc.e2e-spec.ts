/**
 * Single sign-on, end to end on both ENGINES: the service signs users in
 * through a real OpenID Connect provider (oidc-provider, started here) with
 * the authorization code flow and PKCE, maps their role from a configured
 * claim at every sign-in, and opens the web app's cookie session. What an
 * attacker tries is refused: a callback without its transaction or with
 * another's, a role the claims do not give, a provider's user taking over a
 * local account by name, a redirect to another site after sign-in.
 */
import { afterAll, describe, expect } from '@jest/globals';

import {
  freePort,
  signInThroughProvider,
  startIdentityProvider,
} from '@mas/e2e-support';
import { amira } from '@mas/testing';

import {
  type EngineName,
  ENGINES,
  PASSWORD,
  postgresRequirement,
  signedInSuite,
} from './api-harness.js';

const pgRequirement = await postgresRequirement();
const ports: Record<EngineName, number> = {
  sqlite: await freePort(),
  postgres: await freePort(),
};
const callback = (port: number) =>
  `http://127.0.0.1:${String(port)}/api/auth/oidc/callback`;

const provider = await startIdentityProvider({
  clientId: 'mas-orchestrator',
  clientSecret: 'a client secret of the test provider',
  redirectUris: ENGINES.map((engine) => callback(ports[engine])),
  accounts: {
    'dr-sso-senior': {
      preferred_username: 'dr.okafor',
      roles: ['staff', 'mas-senior'],
    },
    'dr-sso-none': { preferred_username: 'dr.norole', roles: ['staff'] },
    'dr-sso-squatter': { preferred_username: 'dr-adams', roles: ['mas-admin'] },
  },
});
afterAll(() => provider.close());

/** The session a browser holds after signing in (cookie header). */
function sessionCookie(cookies: Map<string, string>): string {
  const session = cookies.get('mas_session');
  expect(session).toBeDefined();
  return `mas_session=${session ?? ''}`;
}

describe.each(ENGINES)('single sign-on (OpenID Connect) on %s', (engine) => {
  const suite = signedInSuite(
    engine,
    pgRequirement,
    [
      ['dr-adams', 'clinician'],
      ['admin-ada', 'admin'],
      ['auditor-ames', 'auditor'],
    ],
    {
      PORT: String(ports[engine]),
      OIDC_ISSUER: provider.issuer,
      OIDC_ALLOW_HTTP: 'true',
      OIDC_CLIENT_ID: 'mas-orchestrator',
      OIDC_CLIENT_SECRET: 'a client secret of the test provider',
      OIDC_REDIRECT_URI: callback(ports[engine]),
      OIDC_SCOPES: 'openid profile roles',
      OIDC_ROLE_CLAIM: 'roles',
      OIDC_ROLE_MAP:
        'mas-clinician=clinician, mas-senior=senior, mas-auditor=auditor, mas-admin=admin',
      OIDC_LABEL: 'St Elsewhere account',
    },
  );
  const { maybe, as } = suite;
  const base = () => suite.harness.service.url;

  async function session(cookie: string) {
    const response = await fetch(`${base()}/api/auth/session`, {
      headers: { cookie },
    });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  /** The access log's entry of `action` about `subject`. */
  async function logged(action: string, subject: string) {
    const log = await as('auditor-ames').request(
      'GET',
      `/api/audit/access?action=${action}&pageSize=100`,
    );
    expect(log.status).toBe(200);
    return (
      log.body.items as {
        actorId: string;
        subject: string;
        detail: Record<string, unknown>;
      }[]
    ).find((entry) => entry.subject === subject);
  }

  async function users() {
    const listed = await as('admin-ada').request('GET', '/api/users');
    expect(listed.status).toBe(200);
    return listed.body as {
      id: string;
      username: string;
      role: string;
      federated: boolean;
    }[];
  }

  maybe('the sign-in page learns that the provider is offered', async () => {
    const response = await fetch(`${base()}/api/auth/providers`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      password: true,
      oidc: {
        label: 'St Elsewhere account',
        loginPath: '/api/auth/oidc/login',
      },
    });
  });

  maybe(
    'a hospital user signs in with PKCE: the role from the claim, a cookie session, the account created and logged',
    async () => {
      const start = await fetch(`${base()}/api/auth/oidc/login`, {
        redirect: 'manual',
      });
      expect(start.status).toBe(302);
      const authorize = new URL(start.headers.get('location') ?? '');
      expect(authorize.origin).toBe(provider.issuer);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('code_challenge')).toMatch(
        /^[\w-]{43}$/,
      );
      expect(authorize.searchParams.get('state')).toBeTruthy();
      expect(authorize.searchParams.get('nonce')).toBeTruthy();
      expect(start.headers.get('set-cookie')).toMatch(
        /^mas_oidc=.*HttpOnly.*SameSite=Lax/i,
      );

      const signedIn = await signInThroughProvider(base(), 'dr-sso-senior', {
        returnTo: '/#/episodes',
      });
      expect(signedIn.location).toBe('/#/episodes');
      const cookie = sessionCookie(signedIn.cookies);
      const who = await session(cookie);
      expect(who.status).toBe(200);
      expect(who.body).toMatchObject({ username: 'dr.okafor', role: 'senior' });
      expect(typeof who.body['csrf']).toBe('string');

      const account = (await users()).find((u) => u.username === 'dr.okafor');
      expect(account).toMatchObject({ role: 'senior', federated: true });
      expect(await logged('user.created', 'dr.okafor')).toMatchObject({
        actorId: 'dr.okafor',
        detail: { role: 'senior', by: 'identity provider' },
      });

      // The session works for a change (with its CSRF token) as any other.
      const opened = await fetch(`${base()}/api/episodes`, {
        method: 'POST',
        headers: {
          cookie,
          'content-type': 'application/json',
          'x-mas-csrf': String(who.body['csrf']),
        },
        body: JSON.stringify({
          patient: { ...amira, identifier: `SYN-SSO-${engine.toUpperCase()}` },
        }),
      });
      expect(opened.status).toBe(201);
    },
  );

  maybe(
    'the map decides between several roles, and a role changed at the provider ends the earlier sessions',
    async () => {
      provider.accounts.set('dr-sso-both', {
        preferred_username: 'dr.lind',
        // Clinician is listed before auditor in the map: the map decides.
        roles: ['mas-auditor', 'mas-clinician'],
      });
      const first = await signInThroughProvider(base(), 'dr-sso-both');
      const firstCookie = sessionCookie(first.cookies);
      expect((await session(firstCookie)).body).toMatchObject({
        username: 'dr.lind',
        role: 'clinician',
      });

      provider.accounts.set('dr-sso-both', {
        preferred_username: 'dr.lind',
        roles: ['mas-auditor'],
      });
      const second = await signInThroughProvider(base(), 'dr-sso-both');
      expect((await session(sessionCookie(second.cookies))).body).toMatchObject(
        { username: 'dr.lind', role: 'auditor' },
      );
      expect((await session(firstCookie)).status).toBe(401);
      expect(
        (await users()).filter((u) => u.username === 'dr.lind'),
      ).toHaveLength(1);
      expect(
        (await logged('user.role.changed', 'dr.lind'))?.detail,
      ).toMatchObject({ from: 'clinician', to: 'auditor' });
      // An admin cannot set the role the provider's claims give.
      const account = (await users()).find((u) => u.username === 'dr.lind');
      const changed = await as('admin-ada').request(
        'PATCH',
        `/api/users/${account?.id ?? ''}`,
        { role: 'senior' },
      );
      expect(changed.status).toBe(409);
      expect(changed.body.message).toMatch(/body\.role: .*identity provider/);
    },
  );

  maybe(
    'a name changed at the provider does not rename the account (the audit and four eyes know it by its first name)',
    async () => {
      provider.accounts.set('dr-sso-renamer', {
        preferred_username: 'dr.first',
        roles: ['mas-senior'],
      });
      const first = await signInThroughProvider(base(), 'dr-sso-renamer');
      expect((await session(sessionCookie(first.cookies))).body).toMatchObject({
        username: 'dr.first',
      });
      provider.accounts.set('dr-sso-renamer', {
        preferred_username: 'dr.second',
        roles: ['mas-senior'],
      });
      const again = await signInThroughProvider(base(), 'dr-sso-renamer');
      expect((await session(sessionCookie(again.cookies))).body).toMatchObject({
        username: 'dr.first',
      });
      expect((await users()).map((u) => u.username)).not.toContain('dr.second');
      expect(
        (await logged('user.rename.refused', 'dr.first'))?.detail,
      ).toMatchObject({ claimed: 'dr.second' });
    },
  );

  maybe(
    'a user whose claims give no role here is refused and no account is made',
    async () => {
      const refused = await signInThroughProvider(base(), 'dr-sso-none');
      expect(refused.location).toBe('/?sign-in-error=no-role');
      expect(refused.cookies.has('mas_session')).toBe(false);
      expect((await users()).map((u) => u.username)).not.toContain('dr.norole');
    },
  );

  maybe(
    "the provider's user named as a local account does not take it over",
    async () => {
      const refused = await signInThroughProvider(base(), 'dr-sso-squatter');
      expect(refused.location).toBe('/?sign-in-error=username-taken');
      expect(refused.cookies.has('mas_session')).toBe(false);
      expect(
        (await users()).find((u) => u.username === 'dr-adams'),
      ).toMatchObject({ role: 'clinician', federated: false });
      // The local account still signs in with its own password.
      const local = await suite.api.request('POST', '/api/auth/login', {
        username: 'dr-adams',
        password: PASSWORD,
      });
      expect(local.status).toBe(200);
    },
  );

  maybe(
    'a disabled account stays out; it has no password here to reset or to sign in with',
    async () => {
      provider.accounts.set('dr-sso-disabled', {
        preferred_username: 'dr.gone',
        roles: ['mas-clinician'],
      });
      const before = await signInThroughProvider(base(), 'dr-sso-disabled');
      const cookie = sessionCookie(before.cookies);
      const account = (await users()).find((u) => u.username === 'dr.gone');
      const disabled = await as('admin-ada').request(
        'PATCH',
        `/api/users/${account?.id ?? ''}`,
        { disabled: true },
      );
      expect(disabled.status).toBe(200);
      expect((await session(cookie)).status).toBe(401);
      const again = await signInThroughProvider(base(), 'dr-sso-disabled');
      expect(again.location).toBe('/?sign-in-error=disabled');

      const reset = await as('admin-ada').request(
        'POST',
        `/api/users/${account?.id ?? ''}/password`,
        { password: 'a brand new passphrase for nobody' },
      );
      expect(reset.status).toBe(409);
      for (const password of ['', 'anything at all here']) {
        const local = await suite.api.request('POST', '/api/auth/login', {
          username: 'dr.gone',
          password,
        });
        expect([400, 401]).toContain(local.status);
      }
    },
  );

  maybe(
    'a callback without its transaction, or with another sign-in’s, is refused',
    async () => {
      const caught = await signInThroughProvider(base(), 'dr-sso-senior', {
        stopAtCallback: true,
      });
      expect(caught.location).toContain('code=');
      // Without the transaction cookie (another browser replaying the URL).
      const bare = await fetch(caught.location, { redirect: 'manual' });
      expect(bare.status).toBe(302);
      expect(bare.headers.get('location')).toBe('/?sign-in-error=expired');
      // With the transaction of another sign-in (its state and verifier).
      const other = await signInThroughProvider(base(), 'dr-sso-senior', {
        stopAtCallback: true,
      });
      const mixed = await fetch(caught.location, {
        redirect: 'manual',
        headers: { cookie: `mas_oidc=${other.cookies.get('mas_oidc') ?? ''}` },
      });
      expect(mixed.headers.get('location')).toBe('/?sign-in-error=failed');
      expect(mixed.headers.get('set-cookie') ?? '').not.toMatch(/mas_session=/);
      // A forged transaction cookie.
      const forged = await fetch(caught.location, {
        redirect: 'manual',
        headers: { cookie: 'mas_oidc=eyJhbGciOiJub25lIn0.e30.' },
      });
      expect(forged.headers.get('location')).toBe('/?sign-in-error=expired');
      // The right transaction still finishes (the code was not spent).
      const finished = await fetch(caught.location, {
        redirect: 'manual',
        headers: {
          cookie: `mas_oidc=${caught.cookies.get('mas_oidc') ?? ''}`,
        },
      });
      expect(finished.headers.get('location')).toBe('/');
      expect(finished.headers.get('set-cookie')).toMatch(/mas_session=/);
    },
  );

  maybe(
    'after sign-in the browser only ever returns to this site',
    async () => {
      for (const returnTo of [
        '//evil.example/phish',
        '/\\evil.example',
        'https://evil.example/',
        '/ok path',
        // Not printable ASCII: a redirect cannot carry it (never a 500).
        '/épisodes/中文',
      ]) {
        const signedIn = await signInThroughProvider(base(), 'dr-sso-senior', {
          returnTo,
        });
        expect(signedIn.location).toBe('/');
      }
    },
  );

  maybe(
    'a transaction older than ten minutes on the service clock is refused',
    async () => {
      const caught = await signInThroughProvider(base(), 'dr-sso-senior', {
        stopAtCallback: true,
      });
      suite.harness.clock.advance(11 * 60_000);
      const late = await fetch(caught.location, {
        redirect: 'manual',
        headers: {
          cookie: `mas_oidc=${caught.cookies.get('mas_oidc') ?? ''}`,
        },
      });
      expect(late.headers.get('location')).toBe('/?sign-in-error=expired');
    },
  );
});

describe('single sign-on not configured', () => {
  const suite = signedInSuite('sqlite', pgRequirement, [
    ['admin-solo', 'admin'],
  ]);
  const { maybe } = suite;
  maybe('offers passwords only and has no sign-on routes', async () => {
    const base = suite.harness.service.url;
    expect(await (await fetch(`${base}/api/auth/providers`)).json()).toEqual({
      password: true,
      oidc: null,
    });
    const login = await fetch(`${base}/api/auth/oidc/login`, {
      redirect: 'manual',
    });
    expect(login.status).toBe(404);
  });
});
