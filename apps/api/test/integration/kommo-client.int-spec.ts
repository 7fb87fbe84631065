import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppConfig } from '../../src/config/app-config';
import { KommoClientFactory, type KommoClient } from '../../src/integrations/kommo/kommo-client';
import { KommoApiError } from '../../src/integrations/kommo/kommo-errors';
import { KommoRateLimiter } from '../../src/integrations/kommo/kommo-rate-limiter';
import { type KommoTokenSource } from '../../src/integrations/kommo/kommo-token-source';
import { type SandboxAccount, type SandboxIntegration, SandboxProcess } from '../support/sandbox';
import { testEnv } from '../support/test-env';

type Pair = { access_token: string; refresh_token: string };

/**
 * The token source of these tests: holds the sandbox-issued pair per installation and refreshes it
 * through the sandbox's real token endpoint, like the installation module does with Kommo.
 */
class SandboxTokens implements KommoTokenSource {
  private readonly pairs = new Map<string, { subdomain: string; pair: Pair }>();
  readonly refreshes = new Map<string, number>();
  /** Every token this source ever held, to check none leaks into an error. */
  readonly seen = new Set<string>();

  constructor(
    private readonly sandbox: SandboxProcess,
    private readonly integration: SandboxIntegration,
  ) {}

  add(installationId: string, subdomain: string, pair: Pair): void {
    this.pairs.set(installationId, { subdomain, pair });
    this.seen.add(pair.access_token).add(pair.refresh_token);
  }

  accessToken(installationId: string): Promise<string> {
    return Promise.resolve(this.entry(installationId).pair.access_token);
  }

  relocate(): Promise<null> {
    return Promise.resolve(null);
  }

  async refreshAfterRejection(installationId: string, rejected: string): Promise<string> {
    const entry = this.entry(installationId);
    if (entry.pair.access_token !== rejected) return entry.pair.access_token;
    this.refreshes.set(installationId, (this.refreshes.get(installationId) ?? 0) + 1);
    const response = await fetch(`${this.sandbox.url}/a/${entry.subdomain}/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: this.integration.client_id,
        client_secret: this.integration.client_secret,
        grant_type: 'refresh_token',
        refresh_token: entry.pair.refresh_token,
        redirect_uri: this.integration.redirect_uri,
      }),
    });
    if (!response.ok) {
      throw new KommoApiError({ kind: 'auth', message: `refresh refused: ${response.status}` });
    }
    this.add(installationId, entry.subdomain, (await response.json()) as Pair);
    return this.entry(installationId).pair.access_token;
  }

  private entry(installationId: string) {
    const entry = this.pairs.get(installationId);
    if (!entry) throw new Error(`no tokens for ${installationId}`);
    return entry;
  }
}

type Installation = { id: string; account: SandboxAccount; client: KommoClient };

let sandbox: SandboxProcess;
let tokens: SandboxTokens;
let limiter: KommoRateLimiter;
let factory: KommoClientFactory;
let config: AppConfig;
let made = 0;
const errors: KommoApiError[] = [];

async function install(using: KommoClientFactory = factory): Promise<Installation> {
  made += 1;
  const account = await sandbox.createAccount({ subdomain: `client-${made}-${Date.now()}` });
  const id = randomUUID();
  tokens.add(id, account.subdomain, await sandbox.issueTokens(account.id));
  const client = using.forInstallation({
    installationId: id,
    host: account.host,
    subdomain: account.subdomain,
  });
  return { id, account, client };
}

/** The KommoApiError a call rejects with (kept for the leak check at the end). */
async function failure(call: Promise<unknown>): Promise<KommoApiError> {
  const error: unknown = await call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KommoApiError);
  errors.push(error as KommoApiError);
  return error as KommoApiError;
}

async function requestsOf(account: SandboxAccount, path: string) {
  return sandbox.requests({ account_id: account.id, path, direction: 'in' });
}

beforeAll(async () => {
  sandbox = await SandboxProcess.start();
  tokens = new SandboxTokens(sandbox, await sandbox.integration());
  config = new AppConfig(testEnv({ KOMMO_API_URL_TEMPLATE: sandbox.apiUrlTemplate }));
  limiter = new KommoRateLimiter(config);
  factory = new KommoClientFactory(config, limiter, tokens);
});

afterAll(async () => {
  factory?.onModuleDestroy();
  limiter?.onModuleDestroy();
  await sandbox?.stop();
});

describe('KommoClient against the sandbox', () => {
  it('reads the account', async () => {
    const { account, client } = await install();
    await expect(client.getAccount()).resolves.toEqual({
      id: account.id,
      name: account.subdomain,
      subdomain: account.subdomain,
      current_user_id: account.current_user_id,
      language: 'en',
      timezone: 'America/Sao_Paulo',
    });
    const [request] = await requestsOf(account, '/api/v4/account');
    expect(request?.url).toContain('with=datetime_settings');
  });

  it('creates fields, reads, lists and patches leads, single and batch', async () => {
    const { account, client } = await install();
    await expect(client.listLeadCustomFields()).resolves.toEqual([]); // 204 on a new account
    const [text, area, choice] = await client.createLeadCustomFields([
      { name: 'GPT status', type: 'text', code: 'GPTB_STATUS', sort: 10 },
      { name: 'GPT answer', type: 'textarea', code: 'GPTB_ANSWER' },
      { name: 'Mode', type: 'select', enums: [{ value: 'auto' }, { value: 'manual' }] },
    ]);
    expect(text).toMatchObject({ name: 'GPT status', type: 'text', code: 'GPTB_STATUS', sort: 10 });
    expect(area).toMatchObject({ type: 'textarea', code: 'GPTB_ANSWER' });
    expect(choice?.code).toBeNull();
    expect(choice?.enums?.map((e) => e.value)).toEqual(['auto', 'manual']);
    expect((await client.listLeadCustomFields()).map((f) => f.id)).toEqual(
      [text, area, choice].map((f) => f?.id),
    );

    const first = await sandbox.createLead(account.id, { name: 'First', tags: ['new'] });
    const second = await sandbox.createLead(account.id, { name: 'Second' });
    const plain = await client.getLead(second.id);
    expect(plain).toMatchObject({ id: second.id, name: 'Second', custom_fields_values: null });
    expect(plain?._embedded.tags).toEqual([]);

    const update = await client.patchLead(first.id, {
      custom_fields_values: [
        { field_id: text!.id, values: [{ value: 'answered' }] },
        { field_code: 'GPTB_ANSWER', values: [{ value: 'x'.repeat(1_000) }] },
      ],
      tags_to_add: [{ name: 'gpt' }],
    });
    expect(update.id).toBe(first.id);
    expect(update.updated_at).toBeTypeOf('number');
    const lead = await client.getLead(first.id, { with: ['contacts'] });
    expect(lead?._embedded.tags.map((t) => t.name).sort()).toEqual(['gpt', 'new']);
    expect(lead?.custom_fields_values).toEqual([
      expect.objectContaining({ field_id: text!.id, values: [{ value: 'answered' }] }),
      expect.objectContaining({
        field_code: 'GPTB_ANSWER',
        values: [{ value: 'x'.repeat(1_000) }],
      }),
    ]);

    const updates = await client.patchLeads([
      { id: first.id, name: 'First renamed' },
      { id: second.id, custom_fields_values: [{ field_id: text!.id, values: [{ value: 'b' }] }] },
    ]);
    expect(updates.map((u) => u.id)).toEqual([first.id, second.id]);
    expect((await sandbox.lead(account.id, first.id)).name).toBe('First renamed');
    expect((await sandbox.lead(account.id, second.id)).fields).toEqual({ GPTB_STATUS: 'b' });

    const listed = await client.listLeads({ ids: [first.id, second.id] });
    expect(listed.map((l) => l.name).sort()).toEqual(['First renamed', 'Second']);
    await expect(client.listLeads({ query: 'no such lead' })).resolves.toEqual([]);
    await expect(client.getLead(987_654_321)).resolves.toBeUndefined(); // Kommo answers 204
  });

  it('turns a 257-character text value into a validation error with validation-errors', async () => {
    const { account, client } = await install();
    const [field] = await client.createLeadCustomFields([{ name: 'Short', type: 'text' }]);
    const lead = await sandbox.createLead(account.id, { name: 'L' });
    const error = await failure(
      client.patchLead(lead.id, {
        custom_fields_values: [{ field_id: field!.id, values: [{ value: 'y'.repeat(257) }] }],
      }),
    );
    expect(error).toMatchObject({ kind: 'validation', status: 400, retryable: false });
    expect(error.validationErrors?.[0]?.errors[0]).toMatchObject({
      code: 'TooLong',
      path: 'custom_fields_values.0.values.0.value',
    });
    expect(error.message).toContain('custom_fields_values.0.values.0.value TooLong');
  });

  it('maps 404 to not_found', async () => {
    const { client } = await install();
    const error = await failure(client.patchLead(987_654_321, { name: 'nobody' }));
    expect(error).toMatchObject({ kind: 'not_found', status: 404, retryable: false });
  });

  it('follows _links.next over more than 250 custom fields', async () => {
    const { account, client } = await install();
    const created = await client.createLeadCustomFields(
      Array.from({ length: 260 }, (_, i) => ({ name: `Field ${i}`, type: 'text', sort: i })),
    );
    expect(created).toHaveLength(260);
    await sandbox.clearRequests();
    const fields = await client.listLeadCustomFields();
    expect(fields.map((f) => f.id)).toEqual(created.map((f) => f.id));
    const pages = await requestsOf(account, '/api/v4/leads/custom_fields');
    expect(pages.map((p) => new URL(p.url, sandbox.url).search)).toEqual([
      '?limit=250',
      '?page=2&limit=250',
    ]);
  });

  it('creates and lists tags, and adds notes of both types', async () => {
    const { account, client } = await install();
    await expect(client.listLeadTags()).resolves.toEqual([]);
    const tags = await client.addLeadTags([{ name: 'gpt' }, { name: 'vip', color: 'DDEBB5' }]);
    expect(tags.map((t) => [t.name, t.color])).toEqual([
      ['gpt', null],
      ['vip', 'DDEBB5'],
    ]);
    expect(tags.every((t) => Number.isInteger(t.id))).toBe(true);
    expect((await client.listLeadTags()).map((t) => t.name)).toEqual(['gpt', 'vip']);
    expect((await client.listLeadTags({ name: 'vip' })).map((t) => t.id)).toEqual([tags[1]?.id]);

    const lead = await sandbox.createLead(account.id, { name: 'Noted' });
    const long = 'A long AI answer. '.repeat(200);
    const notes = await client.addLeadNotes([
      { entity_id: lead.id, note_type: 'common', params: { text: 'hello' } },
      {
        entity_id: lead.id,
        note_type: 'extended_service_message',
        params: { service: 'GPT Bridge', text: long },
      },
    ]);
    expect(notes.map((n) => n.entity_id)).toEqual([lead.id, lead.id]);
    expect(notes.every((n) => Number.isInteger(n.id))).toBe(true);
    const stored = (await sandbox.lead(account.id, lead.id)).notes;
    expect(stored.map((n) => [n.note_type, n.params.text])).toEqual([
      ['common', 'hello'],
      ['extended_service_message', long],
    ]);
  });

  it('refreshes once when the access token has expired, then succeeds', async () => {
    const { id, account, client } = await install();
    const before = await tokens.accessToken(id);
    await sandbox.advanceClock(25 * 3_600_000); // past the 24 h access-token lifetime
    await expect(client.getAccount()).resolves.toMatchObject({ id: account.id });
    expect(tokens.refreshes.get(id)).toBe(1);
    expect(await tokens.accessToken(id)).not.toBe(before);
    const calls = await requestsOf(account, '/api/v4/account');
    expect(calls.map((c) => c.status)).toEqual([401, 200]);
  });

  it('gives up with an auth error when the refreshed token is refused too', async () => {
    const { id, account, client } = await install();
    await sandbox.addFault({
      path: '/api/v4/account',
      account_id: account.id,
      status: 401,
      count: 2,
    });
    const error = await failure(client.getAccount());
    expect(error).toMatchObject({ kind: 'auth', status: 401, retryable: false });
    expect(tokens.refreshes.get(id)).toBe(1);
    expect((await requestsOf(account, '/api/v4/account')).map((c) => c.status)).toEqual([401, 401]);
  });

  it('waits out a 429 retry_after, pausing the shared limiter, then succeeds', async () => {
    const { id, account, client } = await install();
    await sandbox.addFault({
      path: '/api/v4/account',
      account_id: account.id,
      status: 429,
      retry_after: 1,
    });
    const pause = vi.spyOn(limiter, 'pause');
    const started = Date.now();
    await expect(client.getAccount()).resolves.toMatchObject({ id: account.id });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(pause).toHaveBeenCalledWith(id, 1_000, { egressMs: 1_000 });
    pause.mockRestore();
    expect((await requestsOf(account, '/api/v4/account')).map((c) => c.status)).toEqual([429, 200]);
    const counters = await sandbox.counters();
    expect(counters.status403).toBe(0);
  });

  it('does not sleep through a long retry_after: throws rate_limit and keeps every caller back', async () => {
    const { id, account, client } = await install();
    await sandbox.addFault({
      path: '/api/v4/account',
      account_id: account.id,
      status: 429,
      retry_after: 300,
    });
    const started = Date.now();
    const error = await failure(client.getAccount());
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({
      kind: 'rate_limit',
      status: 429,
      retryable: true,
      retryAfterMs: 300_000,
    });
    // Another process's limiter refuses this installation's next slot too, without a request.
    const other = new KommoRateLimiter(config);
    try {
      const refused = await failure(other.acquire(id));
      expect(refused.kind).toBe('rate_limit');
      expect(refused.retryAfterMs).toBeGreaterThan(290_000);
    } finally {
      other.onModuleDestroy();
    }
    expect(await requestsOf(account, '/api/v4/account')).toHaveLength(1);
  });

  it('stops after two retries when 429s keep coming', async () => {
    const { account, client } = await install();
    await sandbox.addFault({
      path: '/api/v4/account',
      account_id: account.id,
      status: 429,
      retry_after: 0,
      count: 3,
    });
    const error = await failure(client.getAccount());
    expect(error).toMatchObject({ kind: 'rate_limit', retryable: true });
    expect(await requestsOf(account, '/api/v4/account')).toHaveLength(3);
  });

  it('maps 500 to a retryable server error; retries a GET once, never a PATCH', async () => {
    const { account, client } = await install();
    await sandbox.addFault({
      path: '/api/v4/account',
      account_id: account.id,
      status: 500,
      count: 1,
    });
    await expect(client.getAccount()).resolves.toMatchObject({ id: account.id });

    await sandbox.addFault({
      path: '/api/v4/account',
      account_id: account.id,
      status: 500,
      count: 2,
    });
    const error = await failure(client.getAccount());
    expect(error).toMatchObject({ kind: 'server', status: 500, retryable: true });
    expect((await requestsOf(account, '/api/v4/account')).map((c) => c.status)).toEqual([
      500, 200, 500, 500,
    ]);

    const lead = await sandbox.createLead(account.id, { name: 'L' });
    await sandbox.addFault({
      path: '/api/v4/leads/*',
      method: 'PATCH',
      account_id: account.id,
      status: 500,
    });
    const patch = await failure(client.patchLead(lead.id, { name: 'changed' }));
    expect(patch).toMatchObject({ kind: 'server', status: 500, retryable: true });
    expect(await requestsOf(account, '/api/v4/leads/*')).toHaveLength(1);
    expect((await sandbox.lead(account.id, lead.id)).name).toBe('L');
  });

  it('times out a hanging Kommo as a retryable network error', async () => {
    const quick = new KommoClientFactory(config, limiter, tokens, { timeoutMs: 400 });
    try {
      const { account, client } = await install(quick);
      await sandbox.addFault({
        path: '/api/v4/account',
        account_id: account.id,
        hang: true,
        hang_ms: 5_000,
        count: 2,
      });
      const started = Date.now();
      const error = await failure(client.getAccount());
      const elapsed = Date.now() - started;
      expect(error).toMatchObject({ kind: 'network', retryable: true });
      expect(error.status).toBeUndefined();
      expect(error.message).toContain('no answer within 400 ms');
      expect(elapsed).toBeGreaterThanOrEqual(800); // the GET was tried twice
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      quick.onModuleDestroy();
    }
  });

  it('lists bots and runs them through v4', async () => {
    const { account, client } = await install();
    await expect(client.listBots()).resolves.toEqual([]);
    const bot = await sandbox.createBot(account.id, greeter('Hi from v4'), 'Greeter');
    expect(await client.listBots()).toEqual([
      expect.objectContaining({ id: bot.id, name: 'Greeter', settings: { active: true } }),
    ]);
    const lead = await sandbox.createLead(account.id, { name: 'Bot lead' });
    await expect(client.runBots([{ botId: bot.id, entityId: lead.id }])).resolves.toBe('v4');
    expect((await requestsOf(account, '/api/v4/bots/run')).map((r) => r.status)).toEqual([202]);
    await expect.poll(async () => texts(account.id, lead.id)).toContain('Hi from v4');
  });

  it('falls back to the legacy v2 salesbot/run when v4 answers 404, and remembers it', async () => {
    const { account, client } = await install();
    const bot = await sandbox.createBot(account.id, greeter('Hi from v2'));
    const [one, two] = [
      await sandbox.createLead(account.id, { name: 'One' }),
      await sandbox.createLead(account.id, { name: 'Two' }),
    ];
    await sandbox.addFault({
      path: '/api/v4/bots/run',
      method: 'POST',
      account_id: account.id,
      status: 404,
    });
    await expect(client.runBots([{ botId: bot.id, entityId: one.id }])).resolves.toBe('v2');
    await expect(client.runBots([{ botId: bot.id, entityId: two.id }])).resolves.toBe('v2');
    expect((await requestsOf(account, '/api/v4/bots/run')).map((r) => r.status)).toEqual([404]);
    const legacy = await requestsOf(account, '/api/v2/salesbot/run');
    expect(legacy.map((r) => r.status)).toEqual([202, 202]);
    await expect.poll(async () => texts(account.id, two.id)).toContain('Hi from v2');
  });

  it('continues a bot waiting in widget_request, once', async () => {
    const { account, client } = await install();
    const hook = await widgetHook();
    try {
      const bot = await sandbox.createBot(account.id, {
        0: {
          question: [
            { handler: 'widget_request', params: { url: hook.url, data: { lead: '{{lead.id}}' } } },
            { handler: 'show', params: { type: 'text', value: 'AI says: {{json.reply}}' } },
          ],
        },
      });
      const lead = await sandbox.createLead(account.id, { name: 'Waiting' });
      await client.runBots([{ botId: bot.id, entityId: lead.id }]);
      const returnUrl = await hook.returnUrl;
      await client.continueSalesbot(returnUrl, {
        data: { reply: 'hello there' },
        execute_handlers: [{ handler: 'show', params: { type: 'text', value: 'One moment' } }],
      });
      await expect.poll(async () => texts(account.id, lead.id)).toContain('AI says: hello there');
      expect(await texts(account.id, lead.id)).toContain('One moment');
      const again = await failure(
        client.continueSalesbot(returnUrl, { execute_handlers: [{ handler: 'goto', params: {} }] }),
      );
      expect(again).toMatchObject({ kind: 'not_found', status: 404 });
    } finally {
      await hook.close();
    }
  });

  it('never puts a token into an error (message, stack, JSON, inspect)', () => {
    expect(errors.length).toBeGreaterThanOrEqual(10);
    expect(tokens.seen.size).toBeGreaterThan(10);
    for (const error of errors) {
      // What a logger may print: message, stack, toJSON, every own property, util.inspect.
      const dumped = [
        error.message,
        error.stack ?? '',
        JSON.stringify(error),
        JSON.stringify({ ...error }),
        inspect(error, { depth: 10 }),
      ];
      for (const token of tokens.seen) {
        for (const text of dumped) expect(text.includes(token)).toBe(false);
      }
      expect(inspect(error, { depth: 10 })).not.toMatch(/bearer|authorization/i);
    }
  });
});

function greeter(text: string): unknown {
  return [{ question: [{ handler: 'show', params: { type: 'text', value: text } }] }];
}

async function texts(account: number, lead: number): Promise<string[]> {
  return (await sandbox.chat(account, lead)).entries.map((e) => e.text);
}

/** A widget_request receiver: answers 200 at once and hands out the first return_url. */
async function widgetHook(): Promise<{
  url: string;
  returnUrl: Promise<string>;
  close: () => Promise<void>;
}> {
  let resolve: (url: string) => void = () => undefined;
  const returnUrl = new Promise<string>((r) => (resolve = r));
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      response.writeHead(200).end('ok');
      resolve((JSON.parse(body) as { return_url: string }).return_url);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    returnUrl,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
