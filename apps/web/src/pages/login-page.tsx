import { useMemo, useState } from 'react';

import { ApiClient } from '../api/client.js';
import type { Session, SignInProviders } from '../api/types.js';
import { useFetched } from '../use-fetched.js';

export interface LoginPageProps {
  readonly onLogin: (session: Session) => void;
  /**
   * Why the last sign-in through the identity provider failed (the code the
   * service put in the address: `?sign-in-error=`).
   */
  readonly signInError?: string | null;
  /** Where to come back to after signing in at the provider (this site's path). */
  readonly returnTo?: string;
}

/** What each refusal of the identity provider's sign-in means to the user. */
const SIGN_IN_ERRORS: Readonly<Record<string, string>> = {
  denied: 'The sign-in at the identity provider was cancelled or refused.',
  failed:
    'The sign-in through the identity provider did not complete. Try again; if it keeps failing, tell the administrator.',
  expired:
    'The sign-in took too long, or was finished in another browser. Please try again.',
  'no-role':
    'Your hospital account has no role in this service. Ask the administrator to give you one at the identity provider.',
  'no-username':
    'The identity provider did not say who you are (no user name). Tell the administrator.',
  disabled: 'This account is disabled here. Ask the administrator.',
  'username-taken':
    "Your hospital account's user name is already used by a local account here. Ask the administrator.",
};

export function signInErrorText(code: string): string {
  return SIGN_IN_ERRORS[code] ?? SIGN_IN_ERRORS['failed'] ?? code;
}

export function LoginPage({
  onLogin,
  signInError = null,
  returnTo = '/',
}: LoginPageProps) {
  const [error, setError] = useState<string | null>(
    signInError === null ? null : signInErrorText(signInError),
  );
  const [busy, setBusy] = useState(false);
  const anonymous = useMemo(() => new ApiClient(null), []);
  const { data: providers } = useFetched<SignInProviders>(
    anonymous,
    '/api/auth/providers',
  );
  const oidc = providers?.oidc ?? null;
  return (
    <section className="login" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      {oidc ? (
        <p>
          <a
            className="sso"
            href={`${oidc.loginPath}?${new URLSearchParams({ returnTo }).toString()}`}
          >
            Sign in with your {oidc.label}
          </a>
        </p>
      ) : null}
      {oidc ? <h2>Or with a local account</h2> : null}
      <p className="hint">
        The demo users and their passwords are printed by <code>npm start</code>{' '}
        on first start.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const field = (name: string) => {
            const value = data.get(name);
            return typeof value === 'string' ? value : '';
          };
          setBusy(true);
          setError(null);
          new ApiClient(null)
            .request<Session>(
              'POST',
              '/api/auth/login',
              { username: field('username'), password: field('password') },
              // A browser session: an httpOnly cookie, never a token here.
              { 'x-mas-session': 'cookie' },
            )
            .then(
              (session) => {
                setBusy(false);
                onLogin(session);
              },
              (e: unknown) => {
                setBusy(false);
                setError(e instanceof Error ? e.message : 'the sign-in failed');
              },
            );
        }}
      >
        <label>
          User name <input name="username" autoComplete="username" required />
        </label>
        <label>
          Password{' '}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
          />
        </label>
        {error ? <p role="alert">{error}</p> : null}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </section>
  );
}
