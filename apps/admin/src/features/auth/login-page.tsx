import { useState, type FormEvent } from 'react';
import { api, setCsrfToken } from '../../lib/api';
import { type AdminUser } from '../../lib/types';
import { ErrorLine } from '../shared';

/** Email and password; wrong ones (and a lockout) come back as the API's message. */
export function LoginPage({ onSignedIn }: { onSignedIn: (user: AdminUser) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const signedIn = await api<{ user: AdminUser; csrfToken: string }>('POST', '/login', {
        email,
        password,
      });
      setCsrfToken(signedIn.csrfToken);
      setPassword('');
      onSignedIn(signedIn.user);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="login" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
      <h2 id="login-title">Sign in</h2>
      <label htmlFor="email">Email</label>
      <input
        id="email"
        type="email"
        autoComplete="username"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <label htmlFor="password">Password</label>
      <input
        id="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" className="primary" disabled={busy}>
        Sign in
      </button>
      <ErrorLine error={error} />
    </form>
  );
}
