import { describe, expect, it } from 'vitest';
import { isTeamMessage, parseChatEventBody } from './chat-event-body';

// The bodies the sandbox sends (docs/kommo-contract.md §8.1.2, §8.4), brackets percent-encoded.
const form = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

const team = (extra: Record<string, string> = {}) =>
  form({
    'outgoing_message[add][0][id]': 'm-1',
    'outgoing_message[add][0][text]': 'I will call you',
    'outgoing_message[add][0][type]': 'outgoing',
    'outgoing_message[add][0][element_type]': '2',
    'outgoing_message[add][0][element_id]': '4401',
    'outgoing_message[add][0][author][type]': 'internal',
    'outgoing_message[add][0][author][user_id]': '7',
    'outgoing_message[add][0][author][name]': 'Anna',
    'account[id]': '31999001',
    'account[subdomain]': 'shop',
    ...extra,
  });

describe('parseChatEventBody', () => {
  it('reads a team message of add_outgoing_message (variant A)', () => {
    const body = parseChatEventBody(team());
    expect(body.accountId).toBe(31999001);
    expect(body.items).toHaveLength(1);
    const item = body.items[0]!;
    expect(item).toMatchObject({
      event: 'add_outgoing_message',
      id: 'm-1',
      leadId: 4401,
      authorUserId: 7,
      authorName: 'Anna',
      text: 'I will call you',
    });
    expect(isTeamMessage(item)).toBe(true);
  });

  it('tells a bot (author type bot, user 0) and the customer from a person', () => {
    const bot = parseChatEventBody(
      team({
        'outgoing_message[add][0][author][type]': 'bot',
        'outgoing_message[add][0][author][user_id]': '0',
      }),
    ).items[0]!;
    expect(isTeamMessage(bot)).toBe(false);
    const customer = parseChatEventBody(
      form({
        'message[add][0][id]': 'c-1',
        'message[add][0][type]': 'incoming',
        'message[add][0][entity_type]': 'lead',
        'message[add][0][entity_id]': '12',
        'message[add][0][author][type]': 'external',
        'account[id]': '1',
      }),
    ).items[0]!;
    expect(customer.leadId).toBe(12);
    expect(isTeamMessage(customer)).toBe(false);
  });

  it('takes add_message with type=outgoing as a team message (variant C)', () => {
    const item = parseChatEventBody(
      form({
        'message[add][0][id]': 'm-2',
        'message[add][0][type]': 'outgoing',
        'message[add][0][element_type]': '2',
        'message[add][0][element_id]': '5',
        'message[add][0][author][type]': 'internal',
        'message[add][0][author][user_id]': '9',
        'account[id]': '1',
      }),
    ).items[0]!;
    expect(item.event).toBe('add_message');
    expect(isTeamMessage(item)).toBe(true);
  });

  it('has no lead when the chat has none yet, and refuses an item without an id', () => {
    const noLead = parseChatEventBody(team({ 'outgoing_message[add][0][element_id]': '' }));
    expect(noLead.items[0]!.leadId).toBeNull();
    expect(() => parseChatEventBody(team({ 'outgoing_message[add][0][id]': '' }))).toThrow(
      /has no id/,
    );
    expect(parseChatEventBody('account%5Bid%5D=abc').accountId).toBeNull();
  });
});
