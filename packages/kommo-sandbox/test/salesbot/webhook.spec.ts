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
    h = await startBotSandbox();
    receiver = await startReceiver((r) => behaviour(r));
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('POSTs the lead as a PHP-style form: leads[update][0][...] and account[...]', async () => {
    const message = h.field('GPT Bridge | MESSAGE');
    const prompt = h.field('GPT Bridge | PROMPT');
    h.field('GPT Bridge | ANSWER');
    await h.uploadBot([
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
    ]);
    const lead = h.lead('Maria');
    h.context.kommo.setLeadFieldValue(h.accountId, lead, prompt, 'Answer briefly');
    const index = receiver.received.length;
    await h.say(lead, 'What are your hours?');
    const request = await receiver.nth(index);
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
