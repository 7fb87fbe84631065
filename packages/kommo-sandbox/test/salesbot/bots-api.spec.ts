import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, isRunStatus, startBotSandbox } from './salesbot-harness.js';

const show = (value: string) => ({ handler: 'show', params: { type: 'text', value } });
// Strict mode: the Pause is a designer step added by hand (step 0), in its one form.
const waitingBot = [
  {
    question: [
      show('run for lead {{lead.id}}'),
      { handler: 'pause', params: { seconds: 3600 } },
      show('done'),
    ],
  },
];
const BY_HAND = { hand_added: [0] };

describe('bots API', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotSandbox();
  });
  afterAll(() => h.close());

  it('answers 204 without bots, then lists and gets bots as hal+json', async () => {
    const empty = await h.api('GET', '/api/v4/bots');
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');

    const first = await h.uploadBot(waitingBot, { ...BY_HAND, name: 'Greeter' });
    const second = await h.uploadBot(waitingBot, { ...BY_HAND, name: 'Off', active: false });
    const list = await h.api('GET', '/api/v4/bots');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toContain('application/hal+json');
    const body = (await list.json()) as { _total_items: number; _embedded: { bots: unknown[] } };
    expect(body._total_items).toBe(2);
    expect(body._embedded.bots).toEqual([
      expect.objectContaining({
        id: first,
        name: 'Greeter',
        type_functionality: 'regular',
        settings: { active: true },
      }),
      expect.objectContaining({ id: second, name: 'Off', settings: { active: false } }),
    ]);

    const one = await h.api('GET', `/api/v4/bots/${second}`);
    expect(await one.json()).toMatchObject({ id: second, name: 'Off' });
    expect((await h.api('GET', '/api/v4/bots/999')).status).toBe(204);
  });

  it('needs a valid token and does not show one account the bots of another', async () => {
    expect((await h.api('GET', '/api/v4/bots', undefined, 'not-a-token')).status).toBe(401);
    const other = h.context.kommo.createAccount({ subdomain: 'other' });
    const token = h.context.kommo.oauth.issueTokens(
      other.id,
      other.current_user_id,
      h.context.kommo.integration.client_id,
    );
    const response = await fetch(`${h.base}/a/other/api/v4/bots`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(response.status).toBe(204);
  });

  it('runs a bot on a lead with v4 (202) and stops it (202)', async () => {
    const bot = await h.uploadBot(waitingBot, { ...BY_HAND, active: false });
    const lead = h.lead();
    const run = await h.api('POST', `/api/v4/bots/${bot}/run`, {
      entity_id: lead,
      entity_type: 'leads',
    });
    expect(run.status).toBe(202);
    let chat = await h.waitForChat(lead, isRunStatus('paused'));
    expect(chat.run?.bot_id).toBe(bot);
    expect(h.texts(chat, 'bot')).toEqual([`run for lead ${lead}`]);

    const stop = await h.api('POST', `/api/v4/bots/${bot}/stop`, {
      entity_id: lead,
      entity_type: 'leads',
    });
    expect(stop.status).toBe(202);
    chat = await h.chat(lead);
    expect(chat.run).toMatchObject({
      status: 'stopped',
      end_reason: 'stopped through the bots API',
    });
    h.context.clock.advance(3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(h.texts(await h.chat(lead), 'bot')).toEqual([`run for lead ${lead}`]);
  });

  it('rejects a run for an unknown bot, an unknown lead or contacts', async () => {
    const bot = await h.uploadBot(waitingBot, { ...BY_HAND, active: false });
    const lead = h.lead();
    expect(
      (await h.api('POST', '/api/v4/bots/424242/run', { entity_id: lead, entity_type: 'leads' }))
        .status,
    ).toBe(404);
    const noLead = await h.api('POST', `/api/v4/bots/${bot}/run`, {
      entity_id: 5,
      entity_type: 'leads',
    });
    expect(noLead.status).toBe(400);
    expect(await noLead.json()).toMatchObject({
      'validation-errors': [{ errors: [{ path: 'entity_id' }] }],
    });
    expect(
      (await h.api('POST', `/api/v4/bots/${bot}/run`, { entity_id: lead, entity_type: 'contacts' }))
        .status,
    ).toBe(400);
    expect((await h.chat(lead)).run).toBeNull();
  });

  it('runs several tasks with POST /api/v4/bots/run', async () => {
    const bot = await h.uploadBot(waitingBot, { ...BY_HAND, active: false });
    const leads = [h.lead(), h.lead()];
    const response = await h.api(
      'POST',
      '/api/v4/bots/run',
      leads.map((id) => ({ bot_id: bot, entity_id: id, entity_type: 'leads' })),
    );
    expect(response.status).toBe(202);
    for (const lead of leads) await h.waitForChat(lead, isRunStatus('paused'));
  });

  it('runs bots through the legacy v2 endpoint with entity_type 2, and rejects contacts', async () => {
    const bot = await h.uploadBot(waitingBot, { ...BY_HAND, active: false });
    const lead = h.lead();
    const response = await h.api('POST', '/api/v2/salesbot/run', [
      { bot_id: bot, entity_id: lead, entity_type: 2 },
    ]);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ success: true });
    const chat = await h.waitForChat(lead, isRunStatus('paused'));
    expect(chat.run?.bot_id).toBe(bot);

    const contact = await h.api('POST', '/api/v2/salesbot/run', [
      { bot_id: bot, entity_id: lead, entity_type: 1 },
    ]);
    expect(contact.status).toBe(400);
    const empty = await h.api('POST', '/api/v2/salesbot/run', []);
    expect(empty.status).toBe(400);
  });

  it('replaces a running bot when another one is run on the same lead', async () => {
    const first = await h.uploadBot(waitingBot, { ...BY_HAND, active: false });
    const second = await h.uploadBot([{ question: [show('second')] }], { active: false });
    const lead = h.lead();
    await h.api('POST', `/api/v4/bots/${first}/run`, { entity_id: lead, entity_type: 'leads' });
    await h.waitForChat(lead, isRunStatus('paused'));
    await h.api('POST', `/api/v4/bots/${second}/run`, { entity_id: lead, entity_type: 'leads' });
    const chat = await h.waitForChat(
      lead,
      (c) => c.run?.bot_id === second && c.run.status === 'finished',
    );
    expect(h.texts(chat, 'event')).toContain(
      `Bot "Test bot" (#${first}) stopped: replaced by bot ${second}`,
    );
  });

  it('lets the control API upload, change and delete bots, rejecting JSON that is not a bot', async () => {
    const bad = await h.control('POST', '/salesbot/bots', {
      account: 'acme',
      name: 'x',
      script: { foo: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/at least one step/);
    const tooBig = await h.control('POST', '/salesbot/bots', {
      account: 'acme',
      script: [{ question: [show('x'.repeat(70_000))] }],
    });
    expect(tooBig.status).toBe(400);
    // The Visual Builder's export envelope is unwrapped.
    const created = await h.control<{ id: number }>('POST', '/salesbot/bots', {
      account: h.accountId,
      name: 'Envelope',
      script: {
        model: { text: JSON.stringify({ 0: { question: [show('hi')] }, conversation: false }) },
      },
    });
    expect(created.status).toBe(201);
    const patched = await h.control('PATCH', `/salesbot/bots/${created.body.id}`, {
      active: false,
      name: 'Renamed',
    });
    expect(patched.body).toMatchObject({ name: 'Renamed', active: false, steps: 1 });
    expect((await h.control('DELETE', `/salesbot/bots/${created.body.id}`)).status).toBe(204);
    expect((await h.api('GET', `/api/v4/bots/${created.body.id}`)).status).toBe(204);
  });
});
