import { lazy, Suspense, useEffect, useMemo, useState } from 'react';

import { ApiClient, ApiError } from './api/client.js';
import type { Session } from './api/types.js';
import { BoardPage } from './board/board-page.js';
import { clearDrafts } from './drafts.js';
import { LoginPage } from './pages/login-page.js';
import { hrefOf, type Route, useRoute } from './routes.js';
import { SkipLink } from './skip-link.js';
import { TrainingStart } from './training/training-start.js';

// Loaded when first opened: the episode page brings the statechart layout
// engine, the charts and the form library, which the board does not need.
const EpisodePage = lazy(() =>
  import('./episode/episode-page.js').then((m) => ({ default: m.EpisodePage })),
);
const AuditPage = lazy(() =>
  import('./pages/audit-page.js').then((m) => ({ default: m.AuditPage })),
);
const QualityPage = lazy(() =>
  import('./pages/quality-page.js').then((m) => ({ default: m.QualityPage })),
);
const ProtocolPage = lazy(() =>
  import('./pages/protocol-page.js').then((m) => ({
    default: m.ProtocolPage,
  })),
);

function Notice() {
  return (
    <p className="notice disclaimer" role="note">
      Decision support for the MAS treatment protocol — not a medical device.
      Every decision stays with the treating team.
    </p>
  );
}

function Nav({ session, route }: { session: Session; route: Route }) {
  const links: { route: Route; label: string; roles: Session['role'][] }[] = [
    {
      route: { page: 'board' },
      label: 'Board',
      roles: ['clinician', 'senior', 'auditor'],
    },
    {
      route: { page: 'training' },
      label: 'Training',
      roles: ['clinician', 'senior', 'trainee'],
    },
    {
      route: { page: 'audit' },
      label: 'Escalation audit',
      roles: ['auditor', 'senior', 'clinician'],
    },
    {
      route: { page: 'quality' },
      label: 'Quality',
      roles: ['auditor', 'senior'],
    },
    {
      route: { page: 'protocol' },
      label: 'Protocol',
      roles: ['clinician', 'senior', 'trainee', 'auditor', 'admin'],
    },
  ];
  return (
    <nav aria-label="Main">
      <ul>
        {links
          .filter((l) => l.roles.includes(session.role))
          .map((l) => (
            <li key={l.label}>
              <a
                href={hrefOf(l.route)}
                aria-current={l.route.page === route.page ? 'page' : undefined}
              >
                {l.label}
              </a>
            </li>
          ))}
      </ul>
    </nav>
  );
}

export function App() {
  // The session is the service's httpOnly cookie: a new tab asks the
  // service who is signed in ('checking' until it answers).
  const [session, setSession] = useState<Session | null | 'checking'>(
    'checking',
  );
  const [route, go] = useRoute();
  // A sign-in through the identity provider that failed comes back with
  // `?sign-in-error=CODE`: read once, then taken out of the address.
  const [signInError] = useState<string | null>(() => {
    const params = new URLSearchParams(window.location.search);
    const code = params.get('sign-in-error');
    if (code !== null) {
      window.history.replaceState(
        null,
        '',
        `${window.location.pathname}${window.location.hash}`,
      );
    }
    return code;
  });
  useEffect(() => {
    new ApiClient(null).request<Session>('GET', '/api/auth/session').then(
      (found) => {
        setSession(found);
      },
      (error: unknown) => {
        if (!(error instanceof ApiError) || error.status !== 401) {
          console.warn(error);
        }
        setSession(null);
      },
    );
  }, []);
  const api = useMemo(
    () =>
      new ApiClient(
        session === 'checking' ? null : session,
        undefined,
        '',
        () => {
          clearDrafts();
          setSession(null);
        },
      ),
    [session],
  );
  const signIn = (next: Session | null) => {
    // A session that ends takes its user's unsent drafts with it.
    if (next === null) clearDrafts();
    setSession(next);
  };
  if (session === 'checking') {
    return (
      <main id="main" tabIndex={-1}>
        <Notice />
        <p role="status">Checking the session…</p>
      </main>
    );
  }
  // Trainees see training episodes only.
  const page: Route =
    session?.role === 'trainee' && route.page === 'board'
      ? { page: 'training' }
      : route;
  return (
    <>
      <SkipLink target="main">Skip to content</SkipLink>
      <header className="top">
        <span className="brand">MAS care episodes</span>
        {session ? <Nav session={session} route={page} /> : null}
        {session ? (
          <span className="who">
            {session.username} ({session.role}){' '}
            <button
              type="button"
              onClick={() => {
                // The service refuses the token from now on; the tab forgets
                // it whether or not the service could be reached.
                void api
                  .request('POST', '/api/auth/logout')
                  .catch(() => undefined)
                  .finally(() => {
                    signIn(null);
                  });
              }}
            >
              Sign out
            </button>
          </span>
        ) : null}
      </header>
      <Notice />
      <main id="main" tabIndex={-1}>
        {!session ? (
          <LoginPage
            onLogin={signIn}
            signInError={signInError}
            returnTo={`/${window.location.hash}`}
          />
        ) : page.page === 'episode' ? (
          <Suspense fallback={<p role="status">Opening the episode…</p>}>
            <EpisodePage
              key={page.id}
              api={api}
              session={session}
              id={page.id}
            />
          </Suspense>
        ) : page.page === 'audit' ? (
          <Suspense fallback={<p role="status">Opening the audit…</p>}>
            <AuditPage api={api} onOpen={(id) => go({ page: 'episode', id })} />
          </Suspense>
        ) : page.page === 'quality' &&
          (session.role === 'auditor' || session.role === 'senior') ? (
          <Suspense fallback={<p role="status">Opening the indicators…</p>}>
            <QualityPage api={api} />
          </Suspense>
        ) : page.page === 'protocol' ? (
          <Suspense fallback={<p role="status">Opening the protocol…</p>}>
            <ProtocolPage api={api} role={session.role} />
          </Suspense>
        ) : session.role === 'admin' ? (
          <p>
            The admin role manages users through the API (
            <code>/api/users</code>); it does not see episodes.
          </p>
        ) : (
          <>
            {page.page === 'training' ? (
              <TrainingStart
                api={api}
                onStarted={(id) => go({ page: 'episode', id })}
              />
            ) : null}
            <BoardPage
              key={page.page}
              api={api}
              kind={page.page === 'training' ? 'training' : 'real'}
              canOpen={session.role !== 'auditor'}
              onOpen={(id) => go({ page: 'episode', id })}
            />
          </>
        )}
      </main>
    </>
  );
}
