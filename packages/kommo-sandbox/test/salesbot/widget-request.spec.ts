import { jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type BotHarness,
  isRunStatus,
  type Received,
  startBotSandbox,
  startReceiver,
} from './salesbot-harness.js';

const show = (value: string) => ({ handler: 'show', params: { type: 'text', value } });
const tag = (value: string) => ({
  handler: 'action',
  params: { name: 'set_tag', params: { type: 2, value } },
});
const goto = (step: number) => ({ handler: 'goto', params: { type: 'question', step } });

describe('widget_request and continue', () => {
  let h: BotHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let behaviour: (r: Received) => { status?: number; delayMs?: number } = () => ({});

  // The widget-block template: ask our backend, wait for continue, show {{json.reply}}.
  const widgetBot = (url: string) => ({
    0: {
      question: [
        {
          handler: 'widget_request',
          params: {
            url,
            data: {
              message: '{{message_text}}',
              lead_id: '{{lead.id}}',
              nested: { from: 'widget' },
            },
          },
        },
        goto(1),
      ],
    },
    1: {
      question: [
        {
          handler: 'conditions',
          params: {
            logic: 'and',
            conditions: [{ term1: '{{json.status}}', term2: 'success', operation: '=' }],
            result: [goto(2)],
          },
        },
        show('status was {{json.status}}'),
      ],
    },
    2: { question: [show('{{json.reply}}')] },
    error: [tag('widget-error')],
  });

  beforeAll(async () => {
    h = await startBotSandbox();
    receiver = await startReceiver((r) => behaviour(r));
  });
  afterEach(async () => {
    behaviour = () => ({});
    await h.control('PATCH', '/salesbot/settings', {
      widget_request_encoding: 'json',
      continue_goto: 'follow',
      ack_timeout_ms: 2_000,
      continue_timeout_ms: 600_000,
    });
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  /** Starts the widget bot on a new lead and returns the request our "backend" received. */
  async function startWidgetBot(text: string, extra: Record<string, unknown> = {}) {
    const index = receiver.received.length;
    const botId = await h.uploadBot(widgetBot(`${receiver.url}/widget?secret=abc`), extra);
    const lead = h.lead();
    await h.say(lead, text);
    const request = await receiver.nth(index);
    return { botId, lead, request };
  }

  const continueAt = (returnUrl: string, body: unknown, token = h.token) =>
    fetch(returnUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('posts JSON {token, data, return_url} with an HS512 token signed by the client secret', async () => {
    const { botId, lead, request } = await startWidgetBot('How much is it?');
    expect(request.contentType).toBe('application/json');
    expect(request.url).toBe('/widget?secret=abc');
    expect(request.body.data).toEqual({
      message: 'How much is it?',
      lead_id: String(lead),
      nested: { from: 'widget' },
    });
    expect(request.body.return_url).toMatch(
      new RegExp(`^${h.base}/a/acme/api/v4/salesbot/${botId}/continue/\\w+$`),
    );

    const secret = new TextEncoder().encode(h.context.kommo.integration.client_secret);
    const { payload, protectedHeader } = await jwtVerify(request.body.token, secret, {
      algorithms: ['HS512'],
    });
    expect(protectedHeader.alg).toBe('HS512');
    expect(payload).toMatchObject({
      iss: 'https://acme.kommo.com',
      client_uuid: h.context.kommo.integration.client_id,
      subdomain: 'acme',
      account_id: h.accountId,
      entity_id: lead,
      entity_type: 2,
      bot_type: 'salesbot',
    });
    expect(payload.exp! - payload.iat!).toBeGreaterThan(0);
    await expect(
      jwtVerify(request.body.token, new TextEncoder().encode('wrong secret')),
    ).rejects.toThrow();
    const chat = await h.waitForChat(lead, isRunStatus('waiting_continue'));
    expect(chat.run?.waiting?.kind).toBe('continue');
  });

  it('continues with data.reply: a later step shows {{json.reply}} past the 80-character show limit', async () => {
    const { lead, request } = await startWidgetBot('hello');
    await h.waitForChat(lead, isRunStatus('waiting_continue'));
    const reply =
      'A long answer from the assistant that is well over eighty characters, so it cannot go in a show.';
    const response = await continueAt(request.body.return_url, {
      data: { reply, status: 'success' },
      execute_handlers: [show('Thinking done'), goto(1)],
    });
    expect(response.status).toBe(202);
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['Thinking done', reply]);
    expect(chat.run?.json).toEqual({ reply, status: 'success' });
  });

  it('goes on with the goto after widget_request when the continue has none, and branches on {{json.status}}', async () => {
    const { lead, request } = await startWidgetBot('no goto');
    await h.waitForChat(lead, isRunStatus('waiting_continue'));
    const response = await continueAt(request.body.return_url, {
      data: { reply: 'never shown', status: 'fail' },
      execute_handlers: [show('Done')],
    });
    expect(response.status).toBe(202);
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['Done', 'status was fail']);
  });

  it("continue_goto ignore: the continue's goto is skipped, the bot follows its own", async () => {
    expect(
      (await h.control('PATCH', '/salesbot/settings', { continue_goto: 'sometimes' })).status,
    ).toBe(400);
    const settings = await h.control('PATCH', '/salesbot/settings', { continue_goto: 'ignore' });
    expect(settings.body).toMatchObject({ continue_goto: 'ignore' });
    const { lead, request } = await startWidgetBot('ignore');
    await h.waitForChat(lead, isRunStatus('waiting_continue'));
    // goto(2) would show the reply at once; ignored, the bot's goto(1) branches on the status.
    await continueAt(request.body.return_url, {
      data: { reply: 'Ready', status: 'success' },
      execute_handlers: [goto(2)],
    });
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['Ready']);
    expect(chat.entries.map((e) => e.text)).toContain('continue_goto ignore: 1 goto skipped');
    expect(chat.entries.map((e) => e.text)).toContain('conditions: true');
  });

  it('sends PHP-style form fields when switched globally, and a bot can override it', async () => {
    await h.control('PATCH', '/salesbot/settings', { widget_request_encoding: 'form' });
    const form = await startWidgetBot('olá & bem-vindo');
    expect(form.request.contentType).toBe('application/x-www-form-urlencoded');
    expect(form.request.raw).toContain('data%5Bmessage%5D=ol%C3%A1%20%26%20bem-vindo');
    expect(form.request.raw).toContain('data%5Bnested%5D%5Bfrom%5D=widget');
    expect(form.request.body.data).toEqual({
      message: 'olá & bem-vindo',
      lead_id: String(form.lead),
      nested: { from: 'widget' },
    });
    expect(form.request.body.return_url).toContain('/continue/');
    const secret = new TextEncoder().encode(h.context.kommo.integration.client_secret);
    await expect(jwtVerify(form.request.body.token, secret)).resolves.toBeDefined();

    const json = await startWidgetBot('hi', { widget_request_encoding: 'json' });
    expect(json.request.contentType).toBe('application/json');
  });

  it('fails the step when the receiver does not answer 200 within the ack limit', async () => {
    await h.control('PATCH', '/salesbot/settings', { ack_timeout_ms: 300 });
    behaviour = () => ({ delayMs: 800 });
    const slow = await startWidgetBot('slow');
    let chat = await h.waitForChat(slow.lead, isRunStatus('failed'));
    expect(h.texts(chat, 'error')[0]).toMatch(/did not acknowledge with HTTP 200 within 300 ms/);
    expect(chat.lead?.tags).toEqual(['widget-error']);
    expect(
      (await continueAt(slow.request.body.return_url, { execute_handlers: [goto(2)] })).status,
    ).toBe(404);

    behaviour = () => ({ status: 500 });
    const broken = await startWidgetBot('broken');
    chat = await h.waitForChat(broken.lead, isRunStatus('failed'));
    expect(h.texts(chat, 'http')[0]).toMatch(/HTTP 500/);
    expect(chat.lead?.tags).toEqual(['widget-error']);
  });

  it('enforces the continue limits and accepts a continue once', async () => {
    const { lead, request } = await startWidgetBot('limits');
    await h.waitForChat(lead, isRunStatus('waiting_continue'));
    const url = request.body.return_url;
    const expectTooLong = async (body: unknown, path: string) => {
      const response = await continueAt(url, body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as {
        'validation-errors': { errors: { code: string; path: string }[] }[];
      };
      expect(problem['validation-errors'][0]?.errors[0]).toMatchObject({ code: 'TooLong', path });
    };
    await expectTooLong(
      { execute_handlers: [show('x'.repeat(81))] },
      'execute_handlers.0.params.value',
    );
    await expectTooLong(
      { execute_handlers: Array.from({ length: 11 }, () => goto(2)) },
      'execute_handlers',
    );
    const buttons = Array.from({ length: 26 }, (_, i) => `B${i}`);
    await expectTooLong(
      {
        execute_handlers: [
          { handler: 'show', params: { type: 'buttons', value: 'Pick', buttons } },
        ],
      },
      'execute_handlers',
    );
    expect((await continueAt(url, { data: { status: 'x' }, execute_handlers: [] })).status).toBe(
      400,
    );
    expect((await continueAt(url, { data: { status: 'x' } })).status).toBe(400);

    const agent = h.context.kommo.addUser(h.accountId, { name: 'Agent', is_admin: false });
    const agentToken = h.context.kommo.oauth.issueTokens(
      h.accountId,
      agent.id,
      h.context.kommo.integration.client_id,
    );
    expect(
      (await continueAt(url, { execute_handlers: [goto(2)] }, agentToken.access_token)).status,
    ).toBe(403);
    expect(
      (
        await continueAt(url.replace(/\/salesbot\/\d+\//, '/salesbot/1/'), {
          execute_handlers: [goto(2)],
        })
      ).status,
    ).toBe(404);

    const ok = await continueAt(url, {
      data: { reply: 'x'.repeat(80) },
      execute_handlers: [show('y'.repeat(80)), goto(2)],
    });
    expect(ok.status).toBe(202);
    const reused = await continueAt(url, { data: { reply: 'again' }, execute_handlers: [goto(2)] });
    expect(reused.status).toBe(404);
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['y'.repeat(80), 'x'.repeat(80)]);
  });

  it('expires the continue after the configured sandbox time: 404, and the bot fails', async () => {
    await h.control('PATCH', '/salesbot/settings', { continue_timeout_ms: 120_000 });
    const { lead, request } = await startWidgetBot('expire');
    await h.waitForChat(lead, isRunStatus('waiting_continue'));
    h.context.clock.advance(120_000);
    const chat = await h.waitForChat(lead, isRunStatus('failed'));
    expect(h.texts(chat, 'error')[0]).toMatch(/no continue within 120 s/);
    expect(chat.lead?.tags).toEqual(['widget-error']);
    const response = await continueAt(request.body.return_url, {
      execute_handlers: [goto(2)],
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/no continue record/i);
  });
});
