import { type KommoStack } from './kommo-stack';
import { AdminUsersService } from '../../src/domain/staff/admin-users.service';
import { type AdminRoleName } from '../../src/domain/staff/admin-user.types';

export type AdminResponse = { status: number; body: unknown; text: string; headers: Headers };

/** Every response body the admin client saw (for the "no secret in any response" check). */
export const seenBodies: string[] = [];

/** A user made the way `pnpm admin:create-user` makes one. */
export async function createAdminUser(
  stack: KommoStack,
  email: string,
  role: AdminRoleName,
  password: string,
): Promise<void> {
  await stack.api.get(AdminUsersService).upsert({ email, role, password });
}

/** A signed-in browser: the session cookie and the CSRF token it got at login. */
export class AdminClient {
  constructor(
    private readonly stack: KommoStack,
    readonly cookie: string | null = null,
    readonly csrfToken: string | null = null,
  ) {}

  static async login(stack: KommoStack, email: string, password: string): Promise<AdminClient> {
    const response = await new AdminClient(stack).call('POST', '/admin/api/login', {
      email,
      password,
    });
    if (response.status !== 200) throw new Error(`login failed: ${response.text}`);
    const setCookie = response.headers.get('set-cookie') ?? '';
    const cookie = setCookie.split(';')[0]!;
    return new AdminClient(stack, cookie, (response.body as { csrfToken: string }).csrfToken);
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean } = {},
  ): Promise<AdminResponse> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrfToken && options.csrf !== false) headers['x-csrf-token'] = this.csrfToken;
    const response = await fetch(`${this.stack.apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    seenBodies.push(text);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  }

  get = (path: string) => this.call('GET', path);
  post = (path: string, body?: unknown) => this.call('POST', path, body ?? {});
  put = (path: string, body: unknown) => this.call('PUT', path, body);
}

/**
 * The routes Fastify has under a prefix, from `printRoutes({ commonPrefix: false })`: a tree
 * whose lines hold a path segment and, on a route, its methods in parentheses.
 */
export function routesUnder(stack: KommoStack, prefix: string): { method: string; url: string }[] {
  const tree = stack.api.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const stack_: { depth: number; path: string }[] = [];
  const routes: { method: string; url: string }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([\s│├└─]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length;
    while (stack_.length > 0 && stack_.at(-1)!.depth >= depth) stack_.pop();
    const path = (stack_.at(-1)?.path ?? '') + match[2]!;
    stack_.push({ depth, path });
    if (!match[3] || !path.startsWith(prefix)) continue;
    for (const method of match[3].split(',').map((m) => m.trim())) {
      if (method !== 'HEAD' && method !== 'OPTIONS') routes.push({ method, url: path });
    }
  }
  return routes;
}
