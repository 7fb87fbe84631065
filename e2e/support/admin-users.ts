import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_ENV } from './test-env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type AdminLogin = { email: string; password: string };

/** Creates (or resets) an admin panel user with the same CLI an operator runs. */
export function createAdminUser(role: 'admin' | 'support', prefix: string): AdminLogin {
  const login = {
    email: `${prefix}-${Date.now().toString(36)}@gptbridge.test`,
    password: `${prefix} password ${Math.random().toString(36).slice(2)}`,
  };
  execFileSync(
    process.execPath,
    ['apps/api/dist/cli/create-admin-user.js', '--email', login.email, '--role', role],
    {
      cwd: ROOT,
      env: { ...process.env, ...API_ENV, ADMIN_PASSWORD: login.password },
      stdio: 'pipe',
    },
  );
  return login;
}
