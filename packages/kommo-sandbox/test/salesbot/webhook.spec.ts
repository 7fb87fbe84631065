import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BotHarness,
  isRunStatus,
  type Received,
  startBotSandbox,
  startReceiver,
} from './salesbot-harness.js';

describe('send webhook step (classic template)', () => {
  let h: BotHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let behaviour: (r: Received) => { status?: number } = () => ({});
  beforeAll(async () => {
    // Lenient mode: these run the engine's other forms too (sandbox extensions, editor
    // exports); what strict mode takes is tested in strict.spec.ts.
    h = await startBotSandbox({ strict: false });
    receiver = await startReceiver((r) => behaviour(r));
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const webhookBot = () => {
    const message = h.field('GPT Bridge | MESSAGE');
    const prompt = h.field('GPT Bridge | PROMPT');
    return {
      message,
      prompt,
      script: [
        {
          question: [
            {
              handler: 'action',
              params: {
                name: 'set_custom_fields',
                params: { type: 2, custom_fields_id: message, value: '{{message_text}}' },
              },
            },
            { handler: 'action', params: { name: 'set_tag', params: { type: 2, value: 'gpt' } } },
            {
              handler: 'webhook',
              params: { url: `${receiver.url}/token123/handler?model=gpt-4o-mini&tokens=300` },
            },
            { handler: 'show', params: { type: 'text', value: 'sent' } },
          ],
        },
      ],
    };
  };

  it('by default POSTs what production sees: the lead id, its stage and the account, no fields', async () => {
    const { prompt, script } = webhookBot();
    await h.uploadBot(script);
    const lead = h.lead('Maria');
    h.context.kommo.setLeadFieldValue(h.accountId, lead, prompt, 'Answer briefly');
    const sentBodies: string[] = [];
    for (const text of ['What are your hours?', 'And on Sunday?']) {
      const index = receiver.received.length;
      await h.say(lead, text);
      const request = await receiver.nth(index);
      expect(request.contentType).toBe('application/x-www-form-urlencoded');
      expect(request.url).toBe('/token123/handler?model=gpt-4o-mini&tokens=300');
      expect(Object.keys(request.body).sort()).toEqual(['account', 'leads']);
      expect(request.body.leads).toEqual({
        add: [
          {
            id: String(lead),
            status_id: expect.any(String) as unknown,
            pipeline_id: expect.any(String) as unknown,
          },
        ],
      });
      expect(request.body.account).toEqual({ id: String(h.accountId), subdomain: 'acme' });
      expect(request.raw).not.toContain('What');
      sentBodies.push(request.raw);
      await h.waitForChat(lead, isRunStatus('finished'));
    }
    // A new message on the same lead in the same stage is the same bytes.
    expect(sentBodies[1]).toBe(sentBodies[0]);
  });

  it('with webhook_body "rich" POSTs the lead with its filled fields and tags', async () => {
    const settings = await h.control('PATCH', '/salesbot/settings', { webhook_body: 'rich' });
    expect(settings.body).toMatchObject({ webhook_body: 'rich' });
    expect((await h.control('PATCH', '/salesbot/settings', { webhook_body: 'fat' })).status).toBe(
      400,
    );
    const { message, prompt, script } = webhookBot();
    await h.uploadBot(script);
    const lead = h.lead('Maria');
    h.context.kommo.setLeadFieldValue(h.accountId, lead, prompt, 'Answer briefly');
    const index = receiver.received.length;
    await h.say(lead, 'What are your hours?');
    const request = await receiver.nth(index);
    await h.control('PATCH', '/salesbot/settings', { webhook_body: 'observed' });
    expect(request.contentType).toBe('application/x-www-form-urlencoded');
    expect(request.url).toBe('/token123/handler?model=gpt-4o-mini&tokens=300');
    expect(request.raw).toContain(`leads%5Bupdate%5D%5B0%5D%5Bid%5D=${lead}`);
    const sent = request.body.leads.update[0]!;
    expect(sent).toMatchObject({
      id: String(lead),
      name: 'Maria',
      account_id: String(h.accountId),
      tags: [{ name: 'gpt' }],
    });
    // Only filled fields are sent, each with id, name and values[0][value].
    expect(sent.custom_fields).toEqual([
      {
        id: String(message),
        name: 'GPT Bridge | MESSAGE',
        values: [{ value: 'What are your hours?' }],
      },
      { id: String(prompt), name: 'GPT Bridge | PROMPT', values: [{ value: 'Answer briefly' }] },
    ]);
    expect(request.body.account).toEqual({
      id: String(h.accountId),
      subdomain: 'acme',
      _links: { self: 'https://acme.kommo.com' },
    });
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'http')[0]).toMatch(/webhook POST .*HTTP 200/);
    expect(h.texts(chat, 'bot')).toEqual(['sent']);
  });

  it('records a failing receiver and lets the bot go on', async () => {
    behaviour = () => ({ status: 503 });
    await h.uploadBot([
      {
        question: [
          {
            handler: 'action',
            params: { name: 'webhook', params: { url: `${receiver.url}/down/handler` } },
          },
          { handler: 'show', params: { type: 'text', value: 'still here' } },
        ],
      },
    ]);
    const lead = h.lead();
    await h.say(lead, 'hi');
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'error')[0]).toMatch(/webhook POST .*HTTP 503/);
    expect(h.texts(chat, 'bot')).toEqual(['still here']);
  });
});
