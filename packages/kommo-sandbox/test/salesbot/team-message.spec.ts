import qs from 'qs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver as startPlainReceiver } from '../kommo/helpers.js';
import {
  type BotHarness,
  isRunStatus,
  startBotSandbox,
  startReceiver,
} from './salesbot-harness.js';

type Item = {
  id: string;
  chat_id: string;
  talk_id: string;
  contact_id: string;
  text: string;
  created_at: string;
  element_type: string;
  element_id: string;
  entity_type: string;
  entity_id: string;
  type: string;
  message_type: string;
  origin: string;
  author: { id: string; type: string; name: string; user_id?: string };
  recipient?: { id: string; type: string };
};
type EventForm = {
  message?: { add: Item[] };
  outgoing_message?: { add: Item[] };
  account: { id: string; subdomain: string; _links: { self: string } };
};
type Delivery = {
  id: number;
  event: string;
  destination: string;
  message_id: string;
  state: string;
  next_attempt_at: number | null;
  attempts: { attempt: number; status: number; error?: string }[];
  fields: EventForm;
};

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const form = (raw: string) => qs.parse(raw) as unknown as EventForm;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `read` returns something truthy (deliveries are sent in the background). */
async function eventually<T>(
  read: () => Promise<T | undefined | false>,
  label: string,
): Promise<T> {
  const deadline = Date.now() + 4_000;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await sleep(10);
  }
}

// docs/kommo-contract.md §8.1.2–§8.1.3 and §8.4: what the sandbox sends when someone writes.
describe('account webhooks for chat messages', () => {
  let h: BotHarness;
  let hook: Receiver;
  let other: Receiver;
  let statuses: number[];
  let responsibleId: number;

  const subscribe = (destination: string, settings: string[]) =>
    h.api('POST', '/api/v4/webhooks', { destination, settings });
  const team = (leadId: number, body: Record<string, unknown>) =>
    h.control<Record<string, unknown>>('POST', `/chats/${leadId}/team-message`, body);
  const deliveries = async (query = '') =>
    (
      await h.control<{ deliveries: Delivery[] }>(
        'GET',
        `/webhooks/deliveries?account=acme${query}`,
      )
    ).body.deliveries;

  beforeAll(async () => {
    h = await startBotSandbox();
    // Each call to `hook` takes the next status from the list (200 once it is empty).
    hook = await startReceiver(() => ({ status: statuses.shift() ?? 200 }));
    other = await startReceiver();
    responsibleId = h.context.kommo.requireAccount(h.accountId).current_user_id;
  });
  beforeEach(async () => {
    statuses = [];
    hook.received.length = 0;
    other.received.length = 0;
    h.context.webhooks.reset();
    await h.control('POST', '/clock/reset');
    await h.control('PATCH', '/settings', {
      webhooks: {
        botMessages: 'bot',
        outgoingMessages: 'add_outgoing_message',
        disableAfterFailures: 100,
      },
    });
    await h.control('PATCH', '/salesbot/settings', { stop_on_team_message: false });
    for (const destination of [`${hook.url}/events`, `${other.url}/talks`]) {
      await h.api('DELETE', '/api/v4/webhooks', { destination });
    }
  });
  afterEach(async () => {
    await h.control('POST', '/clock/reset');
  });
  afterAll(async () => {
    await hook.close();
    await other.close();
    await h.close();
  });

  it('posts a team member’s message as add_outgoing_message to subscribed destinations only', async () => {
    expect(
      (await subscribe(`${hook.url}/events`, ['add_message', 'add_outgoing_message'])).status,
    ).toBe(201);
    expect((await subscribe(`${other.url}/talks`, ['add_talk', 'update_lead'])).status).toBe(201);
    const leadId = h.lead('Talking lead');

    const sent = await team(leadId, { text: 'Hi, this is Ana from sales' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      account_id: h.accountId,
      lead_id: leadId,
      user: { id: responsibleId },
    });

    const received = await hook.nth(0);
    expect(received.contentType).toBe('application/x-www-form-urlencoded');
    expect(received.url).toBe('/events');
    const body = form(received.raw);
    expect(body.message).toBeUndefined();
    const item = body.outgoing_message?.add[0];
    expect(body.outgoing_message?.add).toHaveLength(1);
    expect(item).toMatchObject({
      text: 'Hi, this is Ana from sales',
      type: 'outgoing',
      element_type: '2',
      element_id: String(leadId),
      entity_type: 'lead',
      entity_id: String(leadId),
      message_type: 'text',
      author: { type: 'internal', user_id: String(responsibleId), name: 'Admin' },
      recipient: { type: 'external' },
    });
    expect(item?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.account).toEqual({
      id: String(h.accountId),
      subdomain: 'acme',
      _links: { self: 'https://acme.kommo.com' },
    });
    // Kommo does not sign these (§8.1.3); nothing else but the form keys.
    expect(received.raw).toContain(
      'outgoing_message%5Badd%5D%5B0%5D%5Bauthor%5D%5Btype%5D=internal',
    );

    const recorded = await eventually(async () => {
      const list = await deliveries();
      return list[0]?.state === 'delivered' && list;
    }, 'the delivery to be recorded');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      event: 'add_outgoing_message',
      destination: `${hook.url}/events`,
    });
    expect(recorded[0]?.attempts).toMatchObject([{ attempt: 1, status: 200 }]);
    await sleep(100);
    expect(other.received).toHaveLength(0);
    expect(await deliveries(`&destination=${encodeURIComponent(`${other.url}/talks`)}`)).toEqual(
      [],
    );

    const transcript = await h.chat(leadId);
    expect(transcript.entries).toMatchObject([
      {
        kind: 'team',
        text: 'Hi, this is Ana from sales',
        detail: { user_id: responsibleId, user_name: 'Admin' },
      },
    ]);
  });

  it('tells the customer, the bot and a team member apart by type and author[type]', async () => {
    await subscribe(`${hook.url}/events`, ['add_message', 'add_outgoing_message']);
    await h.uploadBot(
      [{ question: [{ handler: 'show', params: { type: 'text', value: 'Bot here' } }] }],
      {
        name: 'Greeter',
      },
    );
    const leadId = h.lead();
    await h.say(leadId, 'Hello?', { contact_name: 'Carla Cliente' });
    await h.waitForChat(leadId, isRunStatus('finished'));
    const seller = h.context.kommo.addUser(h.accountId, { name: 'Sam Sales' });
    await team(leadId, { text: 'Sam here', user_id: seller.id });

    await hook.nth(2);
    const items = hook.received.map((r) => {
      const body = form(r.raw);
      return {
        key: body.message ? 'message' : 'outgoing_message',
        item: (body.message ?? body.outgoing_message)?.add[0],
      };
    });
    const byText = new Map(items.map((x) => [x.item?.text ?? '', x]));
    expect(byText.get('Hello?')).toMatchObject({
      key: 'message',
      item: { type: 'incoming', author: { type: 'external', name: 'Carla Cliente' } },
    });
    expect(byText.get('Hello?')?.item?.author.user_id).toBeUndefined();
    expect(byText.get('Bot here')).toMatchObject({
      key: 'outgoing_message',
      item: { type: 'outgoing', author: { type: 'bot', user_id: '0', name: 'Greeter' } },
    });
    expect(byText.get('Sam here')).toMatchObject({
      key: 'outgoing_message',
      item: {
        type: 'outgoing',
        author: { type: 'internal', user_id: String(seller.id), name: 'Sam Sales' },
      },
    });
    // One chat: the same chat and talk ids on every message, a new message id each time.
    expect(new Set(items.map((x) => x.item?.chat_id)).size).toBe(1);
    expect(new Set(items.map((x) => x.item?.talk_id)).size).toBe(1);
    expect(new Set(items.map((x) => x.item?.id)).size).toBe(3);
  });

  it('reports bot messages as the owner or not at all, and outgoing messages through add_message, when switched', async () => {
    await subscribe(`${hook.url}/events`, ['add_message', 'add_outgoing_message']);
    await h.uploadBot([
      { question: [{ handler: 'show', params: { type: 'text', value: 'Bot again' } }] },
    ]);

    await h.control('PATCH', '/settings', { webhooks: { botMessages: 'owner' } });
    const owned = h.lead();
    await h.say(owned, 'first');
    await h.waitForChat(owned, isRunStatus('finished'));
    await hook.nth(1);
    const bot = form(hook.received[1]?.raw ?? '').outgoing_message?.add[0];
    expect(bot).toMatchObject({
      text: 'Bot again',
      author: { type: 'internal', user_id: String(responsibleId) },
    });

    await h.control('PATCH', '/settings', {
      webhooks: { botMessages: 'none', outgoingMessages: 'add_message' },
    });
    const muted = h.lead();
    await h.say(muted, 'second');
    await h.waitForChat(muted, isRunStatus('finished'));
    await team(muted, { text: 'person via add_message' });
    await hook.nth(3);
    await sleep(100);
    const later = hook.received.slice(2).map((r) => form(r.raw));
    expect(later).toHaveLength(2);
    expect(later.every((b) => b.outgoing_message === undefined)).toBe(true);
    expect(
      later.map((b) => [
        b.message?.add[0]?.text,
        b.message?.add[0]?.type,
        b.message?.add[0]?.author.type,
      ]),
    ).toEqual([
      ['second', 'incoming', 'external'],
      ['person via add_message', 'outgoing', 'internal'],
    ]);
  });

  it('retries a failed delivery after 5 minutes of sandbox time with the same message id', async () => {
    await subscribe(`${hook.url}/events`, ['add_outgoing_message']);
    statuses = [500];
    const leadId = h.lead();
    await team(leadId, { text: 'retry me' });
    await hook.nth(0);
    const waiting = await eventually(async () => {
      const [d] = await deliveries();
      return d?.state === 'retrying' && d;
    }, 'the first failure');
    expect(waiting.attempts).toMatchObject([{ attempt: 1, status: 500 }]);
    const now = (await h.control<{ now: number }>('GET', '/clock')).body.now;
    expect(waiting.next_attempt_at).toBeGreaterThan(now + 4.9 * 60_000);
    expect(waiting.next_attempt_at).toBeLessThanOrEqual(now + 5 * 60_000);

    await h.control('POST', '/clock/advance', { minutes: 4 });
    await sleep(100);
    expect(hook.received).toHaveLength(1);
    await h.control('POST', '/clock/advance', { minutes: 1 });
    await hook.nth(1);
    const done = await eventually(async () => {
      const [d] = await deliveries();
      return d?.state === 'delivered' && d;
    }, 'the retry');
    expect(done.attempts.map((a) => a.status)).toEqual([500, 200]);
    const [first, second] = hook.received.map((r) => form(r.raw).outgoing_message?.add[0]?.id);
    expect(second).toBe(first);
  });

  it('follows the retry table: 4xx stops after the 3rd attempt, 5xx goes on to the 5th', async () => {
    await subscribe(`${hook.url}/events`, ['add_outgoing_message']);
    const attemptsAfter = async (messageId: string | undefined, minutes: number[]) => {
      for (const step of minutes) {
        await h.control('POST', '/clock/advance', { minutes: step });
        await sleep(60);
      }
      return eventually(async () => {
        const d = (await deliveries()).find((x) => x.message_id === messageId);
        return d && (d.state === 'failed' || d.state === 'delivered') && d;
      }, 'the last attempt');
    };
    statuses = [404, 404, 404, 404, 404];
    await team(h.lead(), { text: 'not found' });
    await hook.nth(0);
    const [notFound] = await deliveries();
    const four = await attemptsAfter(notFound?.message_id, [5, 15, 15, 60]);
    expect(four.attempts.map((a) => a.status)).toEqual([404, 404, 404]);

    statuses = [503, 503, 503, 503, 503, 503];
    hook.received.length = 0;
    await team(h.lead(), { text: 'server down' });
    await hook.nth(0);
    const down = (await deliveries()).find((d) => d.state !== 'failed');
    const five = await attemptsAfter(down?.message_id, [5, 15, 15, 60, 60]);
    expect(five.attempts.map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
    expect(hook.received).toHaveLength(5);
  });

  it('counts a slow destination as failed without holding up the chat', async () => {
    await h.control('PATCH', '/settings', { webhooks: { timeoutMs: 150 } });
    // node:http with closeAllConnections: the answer that came too late does not delay the close.
    const slow = await startPlainReceiver({ delayMs: 600 });
    try {
      await subscribe(`${slow.url}/slow`, ['add_outgoing_message']);
      const leadId = h.lead();
      const started = Date.now();
      const sent = await team(leadId, { text: 'are you there?' });
      expect(sent.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(150);
      const failed = await eventually(async () => {
        const [d] = await deliveries();
        return d?.state === 'retrying' && d;
      }, 'the timeout');
      expect(failed.attempts[0]).toMatchObject({ status: 0, error: 'timeout after 150 ms' });
    } finally {
      await h.api('DELETE', '/api/v4/webhooks', { destination: `${slow.url}/slow` });
      await h.control('PATCH', '/settings', { webhooks: { timeoutMs: 2_000 } });
      await slow.close();
    }
  });

  it('disables a webhook after too many bad answers and sends it nothing more until it is re-enabled', async () => {
    await h.control('PATCH', '/settings', { webhooks: { disableAfterFailures: 1 } });
    await subscribe(`${hook.url}/events`, ['add_outgoing_message']);
    statuses = [500, 500];
    const leadId = h.lead();
    await team(leadId, { text: 'one' });
    await hook.nth(0);
    await team(leadId, { text: 'two' });
    await hook.nth(1);
    const listed = await eventually(async () => {
      const response = await h.api('GET', '/api/v4/webhooks');
      const body = (await response.json()) as { _embedded: { webhooks: { disabled: boolean }[] } };
      return body._embedded.webhooks[0]?.disabled && body;
    }, 'the webhook to be disabled');
    expect(listed._embedded.webhooks).toHaveLength(1);
    await team(leadId, { text: 'three' });
    await h.control('POST', '/clock/advance', { minutes: 30 });
    await sleep(100);
    expect(hook.received).toHaveLength(2);
    expect((await deliveries()).map((d) => d.state)).toEqual(['dropped', 'failed']);

    const enabled = await h.control('PATCH', '/accounts/acme/webhooks', {
      destination: `${hook.url}/events`,
      disabled: false,
    });
    expect(enabled.body).toMatchObject({ disabled: false });
    await team(leadId, { text: 'four' });
    const fourth = await hook.nth(2);
    expect(form(fourth.raw).outgoing_message?.add[0]?.text).toBe('four');
  });

  it('keeps delivering after an uninstall, whose revoked token can no longer unsubscribe', async () => {
    const { kommo } = h.context;
    const gone = kommo.createAccount({ subdomain: 'gone' });
    const token = kommo.oauth.issueTokens(
      gone.id,
      gone.current_user_id,
      kommo.integration.client_id,
    );
    const call = (method: string, body: unknown) =>
      fetch(`${h.base}/a/gone/api/v4/webhooks`, {
        method,
        headers: {
          authorization: `Bearer ${token.access_token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    const destination = `${hook.url}/gone`;
    expect((await call('POST', { destination, settings: ['add_outgoing_message'] })).status).toBe(
      201,
    );
    await h.control('PATCH', '/integration', { uninstall_hook_url: `${other.url}/uninstalled` });
    expect((await h.control('POST', '/accounts/gone/uninstall')).status).toBe(200);

    const leadId = kommo.createLead(gone.id, {}).id;
    await team(leadId, { text: 'after the uninstall' });
    const received = await hook.nth(0);
    expect(received.url).toBe('/gone');
    expect(form(received.raw).account.subdomain).toBe('gone');
    expect((await call('DELETE', { destination })).status).toBe(401);
  });

  it('checks the team message route’s input', async () => {
    const leadId = h.lead();
    expect((await team(999_999, { text: 'x' })).status).toBe(404);
    expect((await team(leadId, { text: 'x', account: 'nope' })).status).toBe(404);
    expect((await team(leadId, {})).status).toBe(400);
    expect((await team(leadId, { text: '   ' })).status).toBe(400);
    const stranger = await team(leadId, { text: 'x', user_id: 1 });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error).toBe('user 1 is not in the account');
    expect((await h.chat(leadId)).entries).toEqual([]);
    const byAccount = await team(leadId, { text: 'ok', account: 'acme', userId: responsibleId });
    expect(byAccount.status).toBe(200);
  });

  it('leaves a waiting bot alone by default and stops it when stop_on_team_message is on', async () => {
    const script = [
      {
        question: [{ handler: 'show', params: { type: 'text', value: 'Your name?' } }],
        answer: [{ handler: 'show', params: { type: 'text', value: 'Thanks' } }],
      },
    ];
    await h.uploadBot(script);
    const kept = h.lead();
    await h.say(kept, 'hi');
    await h.waitForChat(kept, isRunStatus('waiting_answer'));
    const first = await team(kept, { text: 'I can help' });
    expect(first.body.stopped_bot).toBe(false);
    expect((await h.chat(kept)).run?.status).toBe('waiting_answer');
    // The team's message is not the customer's answer.
    expect(h.texts(await h.chat(kept), 'bot')).toEqual(['Your name?']);

    expect(
      (await h.control('PATCH', '/salesbot/settings', { stop_on_team_message: 'yes' })).status,
    ).toBe(400);
    const settings = await h.control('PATCH', '/salesbot/settings', { stop_on_team_message: true });
    expect(settings.body.stop_on_team_message).toBe(true);
    const stopped = h.lead();
    await h.say(stopped, 'hi');
    await h.waitForChat(stopped, isRunStatus('waiting_answer'));
    const second = await team(stopped, { text: 'Taking over' });
    expect(second.body.stopped_bot).toBe(true);
    const chat = await h.chat(stopped);
    expect(chat.run).toMatchObject({
      status: 'stopped',
      end_reason: `Admin (#${responsibleId}) wrote in the chat`,
    });
  });

  it('serves the chat page with the team member box', async () => {
    const html = await (await fetch(`${h.base}/_sandbox/chat`)).text();
    for (const id of [
      'team-composer',
      'team-user-select',
      'team-message-input',
      'team-send-button',
    ]) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toContain('<label for="team-user">');
    expect(html).toContain('<label for="team-message"');
    expect(html).toContain("'/team-message'");
    expect(html).toContain('responsible_user_id');
  });
});
