import Fastify from 'fastify';
import qs from 'qs';
import { buildSandbox, type Sandbox } from '../../src/server.js';

export type ChatView = {
  lead: {
    id: number;
    name: string;
    tags: string[];
    fields: { id: number; name: string; value: string }[];
    notes: { text: string }[];
  } | null;
  run: {
    id: number;
    bot_id: number;
    status: string;
    end_reason: string | null;
    json: Record<string, unknown>;
    waiting: { kind: string; until: number; continueId?: string } | null;
  } | null;
  entries: {
    seq: number;
    kind: string;
    text: string;
    buttons?: string[];
    detail?: Record<string, unknown>;
  }[];
};

/** A control API answer; tests narrow `body` to the fields they read. */
export type ControlResponse<T = Record<string, unknown>> = { status: number; body: T };

export type BotHarness = Sandbox & {
  base: string;
  accountId: number;
  subdomain: string;
  /** Access token of the account's admin user. */
  token: string;
  control: <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<ControlResponse<T>>;
  /** A call to the account's Kommo API (`/a/{subdomain}{path}`) with the admin token. */
  api: (method: string, path: string, body?: unknown, token?: string) => Promise<Response>;
  field: (name: string, type?: 'text' | 'textarea' | 'numeric') => number;
  lead: (name?: string) => number;
  uploadBot: (script: unknown, extra?: Record<string, unknown>) => Promise<number>;
  say: (leadId: number, text: string, extra?: Record<string, unknown>) => Promise<ControlResponse>;
  chat: (leadId: number) => Promise<ChatView>;
  /** Polls the lead's chat until `predicate` holds (real time; the bot runs asynchronously). */
  waitForChat: (
    leadId: number,
    predicate: (chat: ChatView) => boolean,
    label?: string,
  ) => Promise<ChatView>;
  texts: (chat: ChatView, kind: string) => string[];
  close: () => Promise<void>;
};

/**
 * A sandbox listening on a free port with one account (`acme`), rate limiting off. The engine is
 * in strict mode (documented handlers only) unless `strict: false` asks for the lenient forms.
 */
export async function startBotSandbox(options: { strict?: boolean } = {}): Promise<BotHarness> {
  const sandbox = buildSandbox();
  const { context } = sandbox;
  const base = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
  context.kommo.updateSettings({ rateLimit: { enabled: false } });
  const account = context.kommo.createAccount({ subdomain: 'acme' });
  const token = context.kommo.oauth.issueTokens(
    account.id,
    account.current_user_id,
    context.kommo.integration.client_id,
  ).access_token;

  const control = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ControlResponse<T>> => {
    const response = await fetch(`${base}/_sandbox${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const api: BotHarness['api'] = (method, path, body, bearer = token) =>
    fetch(`${base}/a/${account.subdomain}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  if (options.strict === false) {
    const switched = await control('PATCH', '/salesbot/settings', { strict: false });
    if (switched.status !== 200) throw new Error('could not switch strict mode off');
  }
  const chat: BotHarness['chat'] = async (leadId) =>
    (await control('GET', `/salesbot/leads/${leadId}?account=${account.subdomain}`))
      .body as ChatView;

  return {
    ...sandbox,
    base,
    accountId: account.id,
    subdomain: account.subdomain,
    token,
    control,
    api,
    field: (name, type = 'textarea') =>
      context.kommo.createCustomField(account.id, { name, type }).id,
    lead: (name) => context.kommo.createLead(account.id, name ? { name } : {}).id,
    uploadBot: async (script, extra = {}) => {
      const response = await control('POST', '/salesbot/bots', {
        account: account.subdomain,
        name: 'Test bot',
        script,
        ...extra,
      });
      if (response.status !== 201) {
        throw new Error(`upload failed: ${JSON.stringify(response.body)}`);
      }
      return Number(response.body.id);
    },
    say: (leadId, text, extra = {}) =>
      control('POST', '/salesbot/messages', {
        account: account.subdomain,
        lead_id: leadId,
        text,
        ...extra,
      }),
    chat,
    waitForChat: async (leadId, predicate, label = 'condition') => {
      const deadline = Date.now() + 4_000;
      let last = await chat(leadId);
      while (!predicate(last)) {
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${label}; chat: ${JSON.stringify(last, null, 1)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
        last = await chat(leadId);
      }
      return last;
    },
    texts: (view, kind) => view.entries.filter((e) => e.kind === kind).map((e) => e.text),
    close: () => sandbox.app.close(),
  };
}

export const isRunStatus =
  (...statuses: string[]) =>
  (chat: ChatView): boolean =>
    chat.run !== null && statuses.includes(chat.run.status);

export type LeadForm = {
  id: string;
  name: string;
  account_id: string;
  custom_fields?: { id: string; name: string; values: { value: string }[] }[];
  tags?: { name: string }[];
};

/** What the receiver got: a widget_request (`token`, `data`, `return_url`) or a webhook form. */
export type ReceivedBody = {
  token: string;
  data: Record<string, unknown>;
  return_url: string;
  leads: { update: LeadForm[]; add: { id: string; status_id: string; pipeline_id: string }[] };
  account: Record<string, unknown>;
};

export type Received = { contentType: string; raw: string; body: ReceivedBody; url: string };

/** A tiny HTTP receiver standing in for our backend; `behave` decides status and delay per call. */
export async function startReceiver(
  behave: (received: Received) => { status?: number; delayMs?: number } = () => ({}),
): Promise<{
  url: string;
  received: Received[];
  nth: (index: number) => Promise<Received>;
  close: () => Promise<void>;
}> {
  const app = Fastify();
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    ['application/json', 'application/x-www-form-urlencoded'],
    { parseAs: 'string' },
    (request, body, done) => {
      const raw = String(body);
      const json = String(request.headers['content-type']).startsWith('application/json');
      // Kommo's lead forms nest 6 levels (leads[update][0][custom_fields][0][values][0][value]).
      const parsed: unknown = json ? JSON.parse(raw) : qs.parse(raw, { depth: 10 });
      done(null, { raw, parsed });
    },
  );
  app.post('/*', async (request, reply) => {
    const payload = request.body as { raw: string; parsed: unknown };
    const entry: Received = {
      contentType: String(request.headers['content-type']),
      raw: payload.raw,
      body: payload.parsed as ReceivedBody,
      url: request.url,
    };
    received.push(entry);
    waiters.splice(0).forEach((wake) => wake());
    const { status = 200, delayMs = 0 } = behave(entry);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return reply.code(status).send({ ok: status === 200 });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    received,
    nth: async (index) => {
      while (received.length <= index) await new Promise<void>((resolve) => waiters.push(resolve));
      return received[index] as Received;
    },
    close: () => app.close(),
  };
}
