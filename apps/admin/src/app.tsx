import { useEffect, useState } from 'react';
import { AccountPage } from './features/accounts/account-page';
import { AccountsPage } from './features/accounts/accounts-page';
import { LoginPage } from './features/auth/login-page';
import { SystemStatus } from './features/health/system-status';
import { RequestPage } from './features/requests/request-page';
import { RequestsPage } from './features/requests/requests-page';
import { AuditPage } from './features/system/audit-page';
import { QueuesPage } from './features/system/queues-page';
import { UsersPage } from './features/users/users-page';
import { api, setCsrfToken, whenSignedOut } from './lib/api';
import { href, useRoute, type Route } from './lib/router';
import { type AdminUser } from './lib/types';

type Session = { state: 'checking' } | { state: 'out' } | { state: 'in'; user: AdminUser };

function Page({ route, user }: { route: Route; user: AdminUser }) {
  const [section, id] = route.segments;
  switch (section) {
    case 'accounts':
      return id ? (
        <AccountPage id={id} user={user} />
      ) : (
        <AccountsPage initial={route.query.get('q') ?? ''} />
      );
    case 'requests':
      return id ? <RequestPage id={id} /> : <RequestsPage params={route.query} />;
    case 'queues':
      return <QueuesPage />;
    case 'audit':
      return <AuditPage />;
    case 'users':
      return user.role === 'admin' ? <UsersPage me={user} /> : <AccountsPage initial="" />;
    default:
      return <AccountsPage initial="" />;
  }
}

const NAV = [
  ['accounts', 'Accounts'],
  ['requests', 'Requests'],
  ['queues', 'Queues'],
  ['audit', 'Audit log'],
  ['users', 'Users'],
] as const;

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'checking' });

  useEffect(() => {
    whenSignedOut(() => setSession({ state: 'out' }));
    // A reload keeps the cookie; /session says who it belongs to and hands the CSRF token out again.
    api<{ user: AdminUser; csrfToken: string } | { user: null }>('GET', '/session').then(
      (current) => {
        if (current.user) {
          setCsrfToken(current.csrfToken);
          setSession({ state: 'in', user: current.user });
        } else {
          setSession({ state: 'out' });
        }
      },
      () => setSession({ state: 'out' }),
    );
  }, []);

  const logout = async () => {
    await api('POST', '/logout').catch(() => undefined);
    setCsrfToken(null);
    setSession({ state: 'out' });
  };

  return (
    <div className="app">
      <header>
        <h1>GPT Bridge admin</h1>
        {session.state === 'in' && (
          <nav aria-label="Sections">
            {NAV.filter(([segment]) => segment !== 'users' || session.user.role === 'admin').map(
              ([segment, label]) => (
                <a
                  key={segment}
                  href={href(segment)}
                  aria-current={route.segments[0] === segment ? 'page' : undefined}
                >
                  {label}
                </a>
              ),
            )}
            <span className="who">
              {session.user.email} ({session.user.role})
            </span>
            <button type="button" onClick={() => void logout()}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main>
        {session.state === 'checking' && <p className="muted">Loading…</p>}
        {session.state === 'out' && (
          <>
            <LoginPage onSignedIn={(user) => setSession({ state: 'in', user })} />
            <SystemStatus />
          </>
        )}
        {session.state === 'in' && <Page route={route} user={session.user} />}
      </main>
    </div>
  );
}
