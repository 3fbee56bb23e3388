/**
 * A real OpenID Connect provider for the end-to-end suites: `oidc-provider`
 * on 127.0.0.1 (a random port), one client (this service), accounts whose
 * claims the test sets. Its development login form accepts any password.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { CookieJar } from 'tough-cookie';

export interface IdentityProvider {
  /** The issuer URL (OIDC_ISSUER). */
  readonly issuer: string;
  /** Claims of each account by login name (change them between sign-ins). */
  readonly accounts: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** The service's single sign-on routes. */
const OIDC_ROUTES = '/api/auth/oidc/';

/** Scopes this provider knows, with the claims each releases. */
const CLAIMS = {
  openid: ['sub'],
  profile: ['preferred_username', 'name'],
  // Role claims under the names providers use (Keycloak, Entra ID, Okta).
  roles: ['roles', 'groups'],
};

export async function startIdentityProvider(options: {
  readonly clientId: string;
  /** Absent: a public client (PKCE alone). */
  readonly clientSecret?: string;
  /** The callbacks registered for the client (each service under test). */
  readonly redirectUris: readonly string[];
  readonly accounts?: Record<string, Record<string, unknown>>;
}): Promise<IdentityProvider> {
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${String(port)}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        ...(options.clientSecret === undefined
          ? { token_endpoint_auth_method: 'none' }
          : {
              client_secret: options.clientSecret,
              token_endpoint_auth_method: 'client_secret_basic',
            }),
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: CLAIMS,
    scopes: Object.keys(CLAIMS),
    cookies: { keys: ['identity-provider-test-cookie-key'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    findAccount: (_context, id) => {
      const claims = accounts.get(id);
      if (claims === undefined) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, ...claims }),
      };
    },
    // A first-party client: no consent screen (the grant is made here).
    loadExistingGrant: async (context: KoaContextWithOIDC) => {
      const { oidc } = context;
      const clientId = oidc.client?.clientId;
      const accountId = oidc.session?.accountId;
      if (clientId === undefined || accountId === undefined) return undefined;
      const grantId =
        oidc.result?.['consent']?.grantId ?? oidc.session?.grantIdFor(clientId);
      if (grantId) {
        const found = await oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope(Object.keys(CLAIMS).join(' '));
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on('request', (request, response) => {
    void handle(request, response);
  });
  return {
    issuer,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export interface ProviderSignIn {
  /**
   * Where the service sent the browser at the end (path, query and hash), or with
   * `stopAtCallback` the full callback URL the provider sent it to.
   */
  readonly location: string;
  /** The service's cookies the browser now holds (name to value). */
  readonly cookies: Map<string, string>;
}

/**
 * Plays the browser through the authorization code flow: the service's
 * login route, the provider's login form (any password), its redirects,
 * and the service's callback. Ends at the service's last redirect, or just
 * before the callback with `stopAtCallback`.
 */
export async function signInThroughProvider(
  service: string,
  login: string,
  options: {
    readonly returnTo?: string;
    readonly stopAtCallback?: boolean;
  } = {},
): Promise<ProviderSignIn> {
  const jar = new CookieJar();
  const origin = new URL(service).origin;
  const start = new URL('/api/auth/oidc/login', service);
  if (options.returnTo !== undefined) {
    start.searchParams.set('returnTo', options.returnTo);
  }
  const cookiesFor = async (path: string) => {
    const cookies = new Map<string, string>();
    for (const found of await jar.getCookies(new URL(path, service).href)) {
      cookies.set(found.key, found.value);
    }
    return cookies;
  };
  let url = start.href;
  let init: RequestInit = { method: 'GET' };
  for (let hop = 0; hop < 20; hop += 1) {
    const headers = new Headers(init.headers);
    const cookie = await jar.getCookieString(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, {
      ...init,
      headers,
      redirect: 'manual',
    });
    for (const header of response.headers.getSetCookie()) {
      await jar.setCookie(header, url, { ignoreError: true });
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (next.origin === origin && !next.pathname.startsWith(OIDC_ROUTES)) {
        return {
          location: next.pathname + next.search + next.hash,
          cookies: await cookiesFor('/api/auth/session'),
        };
      }
      if (
        options.stopAtCallback === true &&
        next.origin === origin &&
        next.pathname === `${OIDC_ROUTES}callback`
      ) {
        return { location: next.href, cookies: await cookiesFor(next.href) };
      }
      url = next.href;
      init = { method: 'GET' };
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (response.status !== 200 || action === undefined) {
      throw new Error(
        `the sign-in stopped at ${url} (${String(response.status)}): ${page.slice(0, 300)}`,
      );
    }
    // The provider's login form: any password.
    url = new URL(action.replaceAll('&amp;', '&'), url).href;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        prompt: 'login',
        login,
        password: 'any password',
      }).toString(),
    };
  }
  throw new Error('the sign-in went round in circles');
}

/**
 * A port free on 127.0.0.1 now: for a service whose address must be known
 * before it starts (the callback registered at the provider).
 *
 * Chosen below the kernel's ephemeral range, where it hands out ports on
 * its own (`bind` to port 0, and the local end of every outgoing
 * connection): a port probed there and freed stays exposed until the
 * service binds it, which in a suite can be a whole half of it later, while
 * the suites beside it connect to PostgreSQL, Chromium and each other, and
 * any of those connections may take it (EADDRINUSE at the start). Below
 * that range only a process that asks for that very port gets it.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  const first = 20_000;
  if (low - first >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const port = first + Math.floor(Math.random() * (low - first));
      // (Never one handed out already: two asked for in a row are both
      // free until their services bind them.)
      if (handedOut.has(port)) continue;
      if (await bindable(port)) {
        handedOut.add(port);
        return port;
      }
    }
  }
  // (Elsewhere, or all taken: the kernel's choice, as before.)
  return probe(0);
}

/** The ports freePort gave in this process. */
const handedOut = new Set<number>();

/** The start of the kernel's ephemeral port range (Linux; else the IANA one). */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return low !== undefined && Number.isInteger(low) ? low : 49_152;
  } catch {
    return 49_152;
  }
}

async function bindable(port: number): Promise<boolean> {
  try {
    return (await probe(port)) === port;
  } catch {
    return false;
  }
}

/** Binds `port` (0: any) on 127.0.0.1, frees it, and tells which it was. */
async function probe(port: number): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return bound;
}
