import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import {
  createLeadWith,
  type InstalledAccount,
  installAccount,
  leadValues,
  postJson,
  usageCount,
} from '../support/webhook-stack';

let stack: KommoStack;
let shop: InstalledAccount;

type Json = Record<string, unknown>;

async function widget(method: string, route: string, body?: unknown, account = shop.account.id) {
  const { token } = await stack.sandbox.widgetToken(account);
  const response = await fetch(`${stack.apiUrl}/widget-api${route}`, {
    method,
    headers: {
      'x-auth-token': token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, json: (text ? JSON.parse(text) : {}) as Json };
}

/** An installed account whose widget user is not an account administrator. */
async function installNonAdmin(prefix: string) {
  const account = await stack.sandbox.createAccount({
    subdomain: `${prefix}${Date.now()}`,
    current_user_is_admin: false,
  });
  await stack.sandbox.install(account.id);
  await waitFor(
    async () =>
      (
        await stack.db.query<{ status: string }[]>(
          `SELECT status FROM installations WHERE kommo_account_id = $1`,
          [account.id],
        )
      )[0]?.status,
    (status) => status === 'active',
  );
  return account;
}

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
});

afterAll(async () => {
  await stack?.stop();
});

describe('webhook URLs in the widget', () => {
  it('lists both URLs, and a rotated URL stops working at once', async () => {
    const listed = await widget('GET', '/webhooks');
    expect(listed.status).toBe(200);
    const hooks = listed.json.webhooks as { kind: string; handlerUrl: string }[];
    expect(hooks.map((h) => h.kind)).toEqual(['chatgpt', 'assistant']);
    const old = hooks[0]!.handlerUrl;
    expect(old).toBe(shop.chatgptUrl);

    const rotated = await widget('POST', '/webhooks/chatgpt/rotate');
    expect(rotated.status).toBe(200);
    const fresh = (rotated.json.webhooks as { kind: string; handlerUrl: string }[])[0]!;
    expect(fresh.handlerUrl).not.toBe(old);
    expect((await postJson(old, { lead_id: 1 })).status).toBe(404);
    expect((await postJson(fresh.handlerUrl, { lead_id: 1 })).status).toBe(200);
    shop.chatgptUrl = fresh.handlerUrl;

    expect((await widget('POST', '/webhooks/other/rotate')).status).toBe(400);
  });
});

describe('provider settings in the widget', () => {
  const key = 'sk-test-widget-settings-123456';
  const difyKey = 'app-test-widget-settings-987654';

  it('saves keys encrypted and shows them only masked', async () => {
    const saved = await widget('PUT', '/providers', {
      openaiApiKey: key,
      assistant: { provider: 'openai', model: 'gpt-4o-mini', instructions: 'Be kind.' },
    });
    expect(saved.status).toBe(200);
    expect(saved.json.openaiApiKey).toEqual({ set: true, hint: 'sk-t…3456' });
    const read = await widget('GET', '/providers');
    expect(read.text).not.toContain(key);
    expect(read.json.assistant).toMatchObject({ provider: 'openai', instructions: 'Be kind.' });
    const raw = await stack.db.query<{ openai_api_key_enc: string }[]>(
      `SELECT openai_api_key_enc FROM provider_settings WHERE installation_id = $1`,
      [shop.installationId],
    );
    expect(raw[0]!.openai_api_key_enc).toMatch(/^gcm1:/);
    expect(raw[0]!.openai_api_key_enc).not.toContain(key);
  });

  it.each([
    [{ assistant: { provider: 'dify' } }, /Dify needs the app API key/],
    [{ assistant: { provider: 'openai', model: 'asst_abc123' } }, /Assistants/],
    [
      {
        assistant: {
          provider: 'openai_compatible',
          baseUrl: 'https://10.0.0.7/v1',
          apiKey: 'sk-compatible-1234',
          model: 'llama',
        },
      },
      /base URL refused/,
    ],
    [{ assistant: { provider: 'nope' } }, /assistant.provider/],
    [{ openaiApiKey: 'short' }, /too short/],
  ])('refuses %j with a message', async (body, message) => {
    const response = await widget('PUT', '/providers', body);
    expect(response.status).toBe(400);
    expect(String(response.json.message)).toMatch(message);
  });

  it('the Assistant webhook answers through the Dify app saved in the widget', async () => {
    const saved = await widget('PUT', '/providers', {
      assistant: { provider: 'dify', apiKey: difyKey },
    });
    expect(saved.status).toBe(200);
    await stack.sandbox.aiScript(difyKey, { answer: { mode: 'fixed', text: 'Dify says hi' } });
    const lead = await createLeadWith(stack, shop.account.id, { PROMPT: 'Hello Dify' });
    expect((await postJson(shop.assistantUrl, { lead_id: lead })).status).toBe(200);
    const values = await waitFor(
      () => leadValues(stack, shop.account.id, lead),
      (v) => v.ANSWER_RECEIVED === 'Full',
    );
    expect(values).toMatchObject({ ANSWER: 'Dify says hi', LOG: 'ok' });
    const call = (await stack.sandbox.aiCalls({ provider: 'dify', key: difyKey })).at(-1)!;
    expect(call.body).toMatchObject({
      query: 'Hello Dify',
      user: `kommo-${shop.account.id}-${lead}`,
      response_mode: 'blocking',
    });
  });

  it('only an administrator can see or change settings or see webhook URLs', async () => {
    const other = await installNonAdmin('staff');
    expect((await widget('PUT', '/providers', { openaiApiKey: key }, other.id)).status).toBe(403);
    expect((await widget('GET', '/webhooks', undefined, other.id)).status).toBe(403);
    expect((await widget('GET', '/providers', undefined, other.id)).status).toBe(403);
  });

  it('refuses input that does not parse in the one 400 shape, naming every problem', async () => {
    const refused = await widget('PUT', '/providers', {
      openaiApiKey: 'short',
      assistant: { provider: 'openai', baseUrl: 'not a url' },
    });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({
      statusCode: 400,
      error: 'BAD_REQUEST',
      code: 'invalid_input',
      problems: [
        'openaiApiKey: the key looks too short',
        'assistant.baseUrl: the base URL must be a full URL such as https://openrouter.ai/api/v1',
      ],
    });
    expect(refused.json.message).toBe((refused.json.problems as string[]).join('; '));
    expect(typeof refused.json.requestId).toBe('string');
  });
});

describe('routes for account administrators only (@WidgetAdmin)', () => {
  it('answer a non-admin 403 with what they do, before looking at the input', async () => {
    const staff = await installNonAdmin('clerk');
    const routes: [string, string, unknown, string][] = [
      ['POST', '/fields/provision', undefined, 're-create the fields'],
      ['POST', '/test-console', { kind: 'nope' }, 'use the test console'],
      ['GET', '/webhooks', undefined, 'see the webhook URLs'],
      ['POST', '/webhooks/other/rotate', undefined, 'rotate a webhook URL'],
      ['GET', '/providers', undefined, 'see the AI provider settings'],
      ['PUT', '/providers', { openaiApiKey: 1 }, 'change the AI provider settings'],
      ['GET', '/templates/other', undefined, 'install the template'],
    ];
    for (const [method, route, body, what] of routes) {
      const refused = await widget(method, route, body, staff.id);
      expect([refused.status, refused.json.message], `${method} ${route}`).toEqual([
        403,
        `Only an account administrator can ${what}`,
      ]);
    }
    // Routes every user of the account may call are not behind it.
    expect((await widget('GET', '/session', undefined, staff.id)).status).toBe(200);
  });
});

describe('test console', () => {
  const key = 'sk-test-console-int-000001';

  it('answers with the saved settings, without a lead, a request row or usage', async () => {
    // No assistant key of its own: the OpenAI assistant uses the account's OpenAI key.
    await widget('PUT', '/providers', {
      openaiApiKey: key,
      assistant: { provider: 'openai', apiKey: null, model: 'gpt-4o-mini', instructions: 'Hi.' },
    });
    await stack.sandbox.call('PUT', `/_sandbox/ai/scripts/${key}`, {
      answer: { mode: 'fixed', text: 'console answer' },
      failures: [],
    });
    const rowsBefore = await stack.db.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM ai_requests WHERE installation_id = $1`,
      [shop.installationId],
    );
    const usageBefore = await usageCount(stack, shop.installationId);
    const answered = await widget('POST', '/test-console', { kind: 'assistant', prompt: 'Hi' });
    expect(answered.status).toBe(200);
    expect(answered.json).toMatchObject({
      ok: true,
      answer: 'console answer',
      model: 'gpt-4o-mini',
    });
    expect(typeof answered.json.latencyMs).toBe('number');
    const chat = await widget('POST', '/test-console', { kind: 'chatgpt', prompt: 'Classify: hi' });
    expect(chat.json).toMatchObject({ ok: true, answer: 'console answer' });
    const rowsAfter = await stack.db.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM ai_requests WHERE installation_id = $1`,
      [shop.installationId],
    );
    expect(rowsAfter[0]!.n).toBe(rowsBefore[0]!.n);
    expect(await usageCount(stack, shop.installationId)).toBe(usageBefore);
  });

  it("shows the provider's error line for a bad key and refuses an empty prompt", async () => {
    await widget('PUT', '/providers', { openaiApiKey: 'sk-live-not-valid-0000' });
    const failed = await widget('POST', '/test-console', { kind: 'chatgpt', prompt: 'Hi' });
    expect(failed.status).toBe(200);
    expect(failed.json).toMatchObject({ ok: false, errorClass: 'auth' });
    expect(failed.json.error).toMatch(/^ERROR OpenAI: .*invalid API key/);
    expect(failed.text).not.toContain('sk-live-not-valid-0000');
    const empty = await widget('POST', '/test-console', { kind: 'chatgpt', prompt: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.json.message).toBe('prompt: write a prompt to send');
  });
});

describe('fields check', () => {
  it('shows a field deleted in Kommo as missing until re-provisioned', async () => {
    const before = await widget('GET', '/fields/check');
    expect(before.json.missing).toEqual([]);
    const fields = before.json.fields as { key: string; kommoFieldId: number; inKommo: boolean }[];
    const answer = fields.find((field) => field.key === 'ANSWER')!;
    await stack.sandbox.call(
      'DELETE',
      `/_sandbox/accounts/${shop.account.id}/custom-fields/${answer.kommoFieldId}`,
    );
    const gone = await widget('GET', '/fields/check');
    expect(gone.json.missing).toEqual(['ANSWER']);
    expect(
      (gone.json.fields as { key: string; inKommo: boolean }[]).find((f) => f.key === 'ANSWER'),
    ).toMatchObject({ inKommo: false });

    expect((await widget('POST', '/fields/provision')).status).toBe(202);
    const back = await waitFor(
      async () => (await widget('GET', '/fields/check')).json,
      (json) => (json.missing as string[]).length === 0,
    );
    const recreated = (back.fields as { key: string; kommoFieldId: number }[]).find(
      (field) => field.key === 'ANSWER',
    )!;
    expect(recreated.kommoFieldId).not.toBe(answer.kommoFieldId);
  });
});
