/**
 * Single sign-on in real Chromium: the sign-in page offers the hospital's
 * identity provider (a real OpenID Connect provider started here), the user
 * signs in there and comes back to the page they asked for, signed in with
 * the role the provider's claims give, in an httpOnly cookie session that a
 * new tab shares; a user with no role here is told why. No console
 * violation of the service's content security policy on the way.
 */
import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import type { Page } from 'playwright-core';

import {
  freePort,
  type IdentityProvider,
  startIdentityProvider,
} from '@mas/e2e-support';

import {
  type BrowserHarness,
  browserTestsOrSkip,
  chromiumProblem,
  startBrowserHarness,
} from './browser-harness.js';

const problem = chromiumProblem();
const { maybe } = browserTestsOrSkip();

/** Signs in at the provider's own login form (any password there). */
async function signInAtProvider(
  page: Page,
  provider: IdentityProvider,
  login: string,
): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

describe('single sign-on in Chromium', () => {
  let harness: BrowserHarness;
  let provider: IdentityProvider;

  beforeAll(async () => {
    if (problem) return;
    const port = await freePort();
    const callback = `http://127.0.0.1:${String(port)}/api/auth/oidc/callback`;
    provider = await startIdentityProvider({
      clientId: 'mas-web',
      redirectUris: [callback],
      accounts: {
        'okafor@hospital': {
          preferred_username: 'dr.okafor',
          groups: ['ward-7', 'mas-senior'],
        },
        'visitor@hospital': {
          preferred_username: 'visitor',
          groups: ['ward-7'],
        },
      },
    });
    harness = await startBrowserHarness({
      env: {
        PORT: String(port),
        OIDC_ISSUER: provider.issuer,
        OIDC_ALLOW_HTTP: 'true',
        // A public client: PKCE alone, no secret.
        OIDC_CLIENT_ID: 'mas-web',
        OIDC_REDIRECT_URI: callback,
        OIDC_SCOPES: 'openid profile roles',
        OIDC_ROLE_CLAIM: 'groups',
        OIDC_ROLE_MAP: 'mas-senior=senior,mas-clinician=clinician',
        OIDC_LABEL: 'St Elsewhere account',
      },
    });
  }, 120_000);

  afterAll(async () => {
    if (problem) return;
    await harness.close();
    await provider.close();
  });

  maybe(
    'a senior signs in through the provider and comes back to the page asked for, signed in',
    async () => {
      const { context, page } = await harness.newPage();
      await page.goto(`${harness.service.url}/#/audit`);
      const sso = page.getByRole('link', {
        name: 'Sign in with your St Elsewhere account',
      });
      await sso.click();
      await signInAtProvider(page, provider, 'okafor@hospital');
      await page.getByText('dr.okafor (senior)').waitFor();
      expect(new URL(page.url()).hash).toBe('#/audit');
      const session = (await context.cookies()).find(
        (cookie) => cookie.name === 'mas_session',
      );
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      // A new tab of the app is signed in too.
      const tab = await context.newPage();
      await tab.goto(`${harness.service.url}/`);
      await tab.getByText('dr.okafor (senior)').waitFor();
      expect(harness.cspViolations).toEqual([]);
      await context.close();
    },
  );

  maybe(
    'a user whose account has no role here is told so on the sign-in page',
    async () => {
      const { context, page } = await harness.newPage();
      await page.goto(`${harness.service.url}/`);
      await page
        .getByRole('link', { name: 'Sign in with your St Elsewhere account' })
        .click();
      await signInAtProvider(page, provider, 'visitor@hospital');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/has no role in this service/);
      // The code is taken out of the address once read.
      expect(new URL(page.url()).search).toBe('');
      expect(await page.getByText('visitor (').count()).toBe(0);
      await context.close();
    },
  );
});
