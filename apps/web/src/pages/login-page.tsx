import { useState } from 'react';

import { ApiClient } from '../api/client.js';
import type { Session } from '../api/types.js';

export interface LoginPageProps {
  readonly onLogin: (session: Session) => void;
}

export function LoginPage({ onLogin }: LoginPageProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section className="login" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
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
