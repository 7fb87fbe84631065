import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import {
  type FaultSpec,
  type Integration,
  type RequestCounters,
  type RequestLogEntry,
} from '@gpt-bridge/kommo-sandbox';
import { freePort } from './redis-server';

export { freePort };

const SANDBOX_CLI = path.resolve(__dirname, '../../../../packages/kommo-sandbox/dist/cli.js');

export type SandboxAccount = {
  id: number;
  subdomain: string;
  host: string;
  base_url: string;
  language: string;
  current_user_id: number;
  users: { id: number; name: string; is_admin: boolean }[];
};

export type SandboxRequest = RequestLogEntry;
export type SandboxIntegration = Omit<Integration, 'name'>;

/**
 * The Kommo sandbox as a separate process (its own event loop, like the real Kommo), started from
 * the built package, plus a typed client for its control API.
 */
export class SandboxProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<SandboxProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [SANDBOX_CLI], {
      env: { ...process.env, ...env, SANDBOX_PORT: String(port), SANDBOX_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sandbox did not start within 10 s: ${stderr}`)),
        10_000,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sandbox exited with ${code}: ${stderr}`));
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return new SandboxProcess(child, `http://127.0.0.1:${port}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  /** `{url}/a/{subdomain}`: what KOMMO_API_URL_TEMPLATE points at in tests. */
  get apiUrlTemplate(): string {
    return `${this.url}/a/{subdomain}`;
  }

  async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${route}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  setIntegration(integration: Partial<SandboxIntegration>): Promise<SandboxIntegration> {
    return this.call('PATCH', '/_sandbox/integration', integration);
  }

  createAccount(input: {
    subdomain: string;
    domain?: 'kommo.com' | 'amocrm.ru';
    language?: 'en' | 'pt' | 'es' | 'ru';
    current_user_is_admin?: boolean;
  }): Promise<SandboxAccount> {
    return this.call('POST', '/_sandbox/accounts', input);
  }

  /** Kommo's install call: GET redirect_uri?code&referer&from_widget=1. */
  install(account: number | string, userId?: number): Promise<{ code: string; url: string }> {
    return this.call(
      'POST',
      `/_sandbox/accounts/${account}/install`,
      userId === undefined ? {} : { user_id: userId },
    );
  }

  /** A code and the consent redirect a browser would follow (with `state`), by `userId` if given. */
  consent(
    account: number | string,
    state?: string,
    userId?: number,
  ): Promise<{ code: string; redirect: string }> {
    return this.call('POST', `/_sandbox/accounts/${account}/codes`, {
      ...(state ? { state } : {}),
      ...(userId === undefined ? {} : { user_id: userId }),
    });
  }

  uninstall(
    account: number | string,
    options: { forge?: boolean; revoke?: boolean } = {},
  ): Promise<{ call: { status: number } }> {
    return this.call('POST', `/_sandbox/accounts/${account}/uninstall`, options);
  }

  async requests(filter: Record<string, string | number> = {}): Promise<SandboxRequest[]> {
    const query = new URLSearchParams(
      Object.entries(filter).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    const result = await this.call<{ requests: SandboxRequest[] }>(
      'GET',
      `/_sandbox/requests${query ? `?${query}` : ''}`,
    );
    return result.requests;
  }

  counters(): Promise<RequestCounters> {
    return this.call('GET', '/_sandbox/requests/counters');
  }

  clearRequests(): Promise<void> {
    return this.call('DELETE', '/_sandbox/requests');
  }

  leadFields(account: number | string): Promise<{
    custom_fields: { id: number; code: string | null; name: string; type: string }[];
  }> {
    return this.call('GET', `/_sandbox/accounts/${account}/custom-fields`);
  }

  deleteField(account: number | string, field: number | string): Promise<void> {
    return this.call('DELETE', `/_sandbox/accounts/${account}/custom-fields/${field}`);
  }

  advanceClock(ms: number): Promise<unknown> {
    return this.call('POST', '/_sandbox/clock/advance', { ms });
  }

  widgetToken(
    account: number | string,
    variant:
      | 'valid'
      | 'bad_signature'
      | 'alg_none'
      | 'expired'
      | 'not_yet_valid'
      | 'wrong_aud'
      | 'other_account' = 'valid',
    options: {
      userId?: number;
      /** How claims are typed (packages/kommo-sandbox/src/widget-host/README.md). */
      shape?: {
        is_admin?: 'bool' | 'number' | 'string' | 'absent';
        ids?: 'number' | 'string';
        fractional_times?: boolean;
      };
    } = {},
  ): Promise<{ token: string }> {
    return this.call('POST', '/_sandbox/widget-token', {
      account_id: account,
      variant,
      ...(options.userId === undefined ? {} : { user_id: options.userId }),
      ...(options.shape === undefined ? {} : { shape: options.shape }),
    });
  }

  /** Adds a user to the account (not an admin unless told). */
  addUser(
    account: number | string,
    input: { name: string; is_admin?: boolean },
  ): Promise<{ id: number; name: string; is_admin: boolean }> {
    return this.call('POST', `/_sandbox/accounts/${account}/users`, input);
  }
  integration(): Promise<SandboxIntegration> {
    return this.call('GET', '/_sandbox/integration');
  }

  /** A token pair for the account's current user, without the consent flow. */
  issueTokens(
    account: number | string,
  ): Promise<{ access_token: string; refresh_token: string; expires_in: number }> {
    return this.call('POST', `/_sandbox/accounts/${account}/tokens`, {});
  }

  /** The next matching API requests misbehave (status, retry_after, delay_ms, hang…). */
  addFault(fault: FaultSpec): Promise<{ id: number }> {
    return this.call('POST', '/_sandbox/faults', fault);
  }

  createLead(
    account: number | string,
    input: { name?: string; fields?: Record<string, unknown>; tags?: string[] } = {},
  ): Promise<SandboxLead> {
    return this.call('POST', `/_sandbox/accounts/${account}/leads`, input);
  }

  /** The lead's full state: tags by name, field values by code (or id), notes. */
  lead(account: number | string, lead: number): Promise<SandboxLead> {
    return this.call('GET', `/_sandbox/accounts/${account}/leads/${lead}`);
  }

  /**
   * Uploads a bot (the designer's import). The engine is in strict mode by default: only
   * documented handlers, plus UI-only steps in the `handAdded` steps (what the installer tells
   * the user to add by hand in the designer).
   */
  createBot(
    account: number,
    script: unknown,
    name = 'Test bot',
    handAdded?: number[],
  ): Promise<{ id: number }> {
    return this.call('POST', '/_sandbox/salesbot/bots', {
      account,
      script,
      name,
      ...(handAdded ? { hand_added: handAdded } : {}),
    });
  }

  /** A file on the sandbox's fake CDN (bytes, or a built-in fixture); `url` is where it is served. */
  uploadMedia(
    input:
      | { fileName: string; contentType: string; bytes: Buffer }
      | { fixture: 'image.png' | 'voice.ogg'; fileName?: string; contentType?: string },
  ): Promise<SandboxMedia> {
    const body =
      'bytes' in input
        ? {
            fileName: input.fileName,
            contentType: input.contentType,
            base64: input.bytes.toString('base64'),
          }
        : input;
    return this.call('POST', '/_sandbox/media', body);
  }

  /** A lead's salesbot transcript and current run. */
  chat(
    account: number,
    lead: number,
  ): Promise<{
    run: { status: string; bot_id: number } | null;
    entries: { kind: string; text: string }[];
  }> {
    return this.call('GET', `/_sandbox/salesbot/leads/${lead}?account=${account}`);
  }

  /** Scripts a fake AI provider for a key, agent/app id, provider name or `*`. */
  aiScript(target: string, script: SandboxAiScript): Promise<unknown> {
    return this.call('PUT', `/_sandbox/ai/scripts/${encodeURIComponent(target)}`, script);
  }

  /** The fake AI providers' call log, oldest first. */
  async aiCalls(
    filter: { provider?: 'openai' | 'dify' | 'chatbase'; endpoint?: string; key?: string } = {},
  ): Promise<SandboxAiCall[]> {
    const query = new URLSearchParams(filter).toString();
    const result = await this.call<{ calls: SandboxAiCall[] }>(
      'GET',
      `/_sandbox/ai/calls${query ? `?${query}` : ''}`,
    );
    return result.calls;
  }

  /** Conversations the fake AI providers hold (OpenAI Conversations API objects, …). */
  aiConversations(): Promise<{
    openai: { id: string; metadata: Record<string, string>; items: unknown[] }[];
    dify: unknown[];
    chatbase: unknown[];
  }> {
    return this.call('GET', '/_sandbox/ai/conversations');
  }
}

/** `PUT /_sandbox/ai/scripts/:target` body (see packages/kommo-sandbox/src/ai/script.ts). */
export type SandboxAiScript = {
  answer?:
    | { mode: 'echo' }
    | { mode: 'fixed'; text: string }
    | { mode: 'intent'; rules: { keywords?: string[]; pattern?: string; answer: string }[] };
  latencyMs?: number;
  failures?: {
    kind: string;
    times?: number;
    retryAfterSeconds?: number;
    code?: string;
    message?: string;
    status?: number;
    body?: unknown;
    headers?: Record<string, string>;
  }[];
  transcripts?: Record<string, string>;
  transcript?: string;
};

/** One entry of the fake AI providers' call log. */
export type SandboxAiCall = {
  id: number;
  provider: string;
  endpoint: string;
  method: string;
  path: string;
  key: string | null;
  body: unknown;
  validation:
    | { checked: true; schema: string; valid: boolean; errors: string[] }
    | { checked: false; schema: string; reason: string }
    | null;
  status: number | null;
  outcome: string;
  failure: string | null;
  answer: string | null;
};

/** What `GET /_sandbox/accounts/:account/leads/:lead` answers (the parts tests read). */
export type SandboxLead = {
  id: number;
  name: string;
  tags: string[];
  fields: Record<string, unknown>;
  notes: { id: number; note_type: string; params: Record<string, unknown> }[];
};

/** What `POST /_sandbox/media` answers. */
export type SandboxMedia = {
  id: string;
  url: string;
  fileName: string;
  contentType: string;
  size: number;
};
