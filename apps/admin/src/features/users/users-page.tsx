import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api';
import { when } from '../../lib/format';
import { type AdminUser, type Role } from '../../lib/types';
import { useData } from '../../lib/use-data';
import { ErrorLine, Loaded } from '../shared';

/** Adds a user, or gives an existing email a new password and role (its sessions end). */
function AddUser({ onSaved }: { onSaved: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('support');
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    try {
      const result = await api<{ created: boolean }>('POST', '/users', { email, password, role });
      setDone(result.created ? `${email} added.` : `${email}: new password and role saved.`);
      setPassword('');
      onSaved();
    } catch (caught) {
      setError(caught as Error);
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} className="filters" aria-label="Add a user">
      <label>
        Email
        <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password
        <input
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
          <option value="support">support</option>
          <option value="admin">admin</option>
        </select>
      </label>
      <button type="submit">Save user</button>
      {done && <span role="status">{done}</span>}
      <ErrorLine error={error} />
    </form>
  );
}

/** Panel users and their roles (admins only; the API enforces it). */
export function UsersPage({ me }: { me: AdminUser }) {
  const [data, reload] = useData(() => api<{ users: AdminUser[] }>('GET', '/users'), 'users');
  const [error, setError] = useState<Error | null>(null);
  const changeRole = async (user: AdminUser, role: Role) => {
    setError(null);
    try {
      await api('PUT', `/users/${user.id}/role`, { role });
      reload();
    } catch (caught) {
      setError(caught as Error);
    }
  };
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <AddUser onSaved={reload} />
      <ErrorLine error={error} />
      <Loaded data={data}>
        {({ users }) => (
          <table data-testid="users">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Locked until</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id}>
                  <td>{user.email}</td>
                  <td>
                    <select
                      aria-label={`Role of ${user.email}`}
                      value={user.role}
                      disabled={user.id === me.id}
                      onChange={(e) => void changeRole(user, e.target.value as Role)}
                    >
                      <option value="support">support</option>
                      <option value="admin">admin</option>
                    </select>
                  </td>
                  <td>{when(user.lastLoginAt)}</td>
                  <td>{when(user.lockedUntil)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}
