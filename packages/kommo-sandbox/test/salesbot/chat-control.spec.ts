import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, isRunStatus, startBotSandbox } from './salesbot-harness.js';

describe('chat page and control API', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotSandbox();
  });
  afterAll(() => h.close());

  it('serves the chat page with labelled controls and stable test ids', async () => {
    const response = await fetch(`${h.base}/_sandbox/chat`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    for (const id of [
      'account-select',
      'lead-select',
      'new-lead',
      'message-input',
      'send-button',
      'transcript',
      'lead-fields',
      'lead-tags',
      'lead-notes',
      'run-status',
    ]) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toContain('<label for="message"');
    const short = await fetch(`${h.base}/chat?account=acme&lead=1`, { redirect: 'manual' });
    expect(short.status).toBe(302);
    expect(short.headers.get('location')).toBe('/_sandbox/chat?account=acme&lead=1');
  });

  it('lists accounts and leads, creates a lead with the first message and reads it back', async () => {
    await h.uploadBot([
      { question: [{ handler: 'show', params: { type: 'text', value: 'Welcome' } }] },
    ]);
    const accounts = await h.control('GET', '/salesbot/accounts');
    expect(accounts.body.accounts).toContainEqual({
      id: h.accountId,
      subdomain: 'acme',
      name: 'acme',
    });
    const sent = await h.control('POST', '/salesbot/messages', {
      account: 'acme',
      create_lead: { name: 'From the chat' },
      text: 'hi',
    });
    expect(sent.status).toBe(200);
    const leadId = sent.body.lead_id as number;
    expect(sent.body.run).toMatchObject({ status: 'running' });
    const leads = await h.control('GET', '/salesbot/leads?account=acme');
    expect(leads.body.leads).toContainEqual({ id: leadId, name: 'From the chat' });
    const chat = await h.waitForChat(leadId, isRunStatus('finished'));
    expect(chat.entries.map((e) => e.kind)).toEqual(['customer', 'event', 'bot', 'event']);
    const later = await h.control<{ entries: { kind: string }[] }>(
      'GET',
      `/salesbot/leads/${leadId}?account=acme&after=${chat.entries[1]!.seq}`,
    );
    expect(later.body.entries.map((e) => e.kind)).toEqual(['bot', 'event']);
  });

  it('answers 404 and 400 for unknown accounts, leads and missing text', async () => {
    expect(
      (await h.control('POST', '/salesbot/messages', { account: 'nope', lead_id: 1, text: 'x' }))
        .status,
    ).toBe(404);
    expect(
      (await h.control('POST', '/salesbot/messages', { account: 'acme', lead_id: 1, text: 'x' }))
        .status,
    ).toBe(404);
    expect(
      (await h.control('POST', '/salesbot/messages', { account: 'acme', text: 'x' })).status,
    ).toBe(400);
    expect(
      (await h.control('POST', '/salesbot/messages', { account: 'acme', lead_id: h.lead() }))
        .status,
    ).toBe(400);
    expect(
      (await h.control('PATCH', '/salesbot/settings', { widget_request_encoding: 'xml' })).status,
    ).toBe(400);
  });

  it('forgets bots and chats on a sandbox reset', async () => {
    await h.uploadBot([{ question: [{ handler: 'pause', params: { seconds: 3600 } }] }], {
      hand_added: [0],
    });
    const lead = h.lead();
    await h.say(lead, 'hi');
    await h.waitForChat(lead, isRunStatus('paused'));
    expect((await h.control('POST', '/reset', {})).status).toBeLessThan(300);
    const account = h.context.kommo.createAccount({ subdomain: 'acme' });
    expect((await h.control('GET', `/salesbot/bots?account=${account.id}`)).body.bots).toEqual([]);
    expect((await h.control('GET', '/salesbot/settings')).body.step_budget).toBe(500);
  });
});
