/**
 * Reads Kommo's account-webhook body (docs/kommo-contract.md §8.1.2, §8.1.3): a form with PHP-style
 * keys, `message[add][N][…]` (add_message) or `outgoing_message[add][N][…]`
 * (add_outgoing_message), and `account[id]`. Only the keys we decide on are kept.
 */

/** One chat message of the body, as the decision needs it. */
export type ChatEventItem = {
  event: 'add_message' | 'add_outgoing_message';
  id: string;
  /** `incoming` (the customer) or `outgoing` (a user or a bot); '' when Kommo sent none. */
  type: string;
  authorType: string;
  /** The Kommo user's id; 0 for a bot, null when absent. */
  authorUserId: number | null;
  authorName: string | null;
  text: string;
  messageType: string;
  /** From element_id (element_type 2) or entity_id (entity_type lead); null: no lead yet. */
  leadId: number | null;
};

export type ChatEventBody = { accountId: number | null; items: ChatEventItem[] };

/** A body we cannot read: the route answers 400 with the message (no value is quoted). */
export class BadChatEventBody extends Error {}

const ITEM_KEY = /^(message|outgoing_message)\[add\]\[(\d{1,3})\]\[([a-z_]+)\](?:\[([a-z_]+)\])?$/;
const MAX_ITEMS = 100;
const MAX_TEXT = 4000;

const positiveInt = (value: string | undefined): number | null => {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return null;
  const n = Number(value);
  return n > 0 ? n : null;
};

export function parseChatEventBody(raw: string): ChatEventBody {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(raw);
  } catch {
    throw new BadChatEventBody('the body is not a form');
  }
  const accountRaw = params.get('account[id]') ?? undefined;
  const grouped = new Map<string, Map<string, string>>();
  for (const [key, value] of params) {
    const match = ITEM_KEY.exec(key);
    if (!match) continue;
    const [, event, index, field, sub] = match;
    const itemKey = `${event}:${index}`;
    let item = grouped.get(itemKey);
    if (!item) {
      if (grouped.size >= MAX_ITEMS) throw new BadChatEventBody(`more than ${MAX_ITEMS} items`);
      item = new Map();
      grouped.set(itemKey, item);
    }
    item.set(sub ? `${field}.${sub}` : field!, value);
  }
  const items: ChatEventItem[] = [];
  for (const [itemKey, fields] of grouped) {
    const event = itemKey.startsWith('outgoing_message') ? 'add_outgoing_message' : 'add_message';
    const id = fields.get('id');
    if (!id) throw new BadChatEventBody(`a ${event} item has no id`);
    const elementLead = fields.get('element_type') === '2' ? fields.get('element_id') : undefined;
    const entityLead = fields.get('entity_type') === 'lead' ? fields.get('entity_id') : undefined;
    const userIdRaw = fields.get('author.user_id');
    items.push({
      event,
      id: id.slice(0, 100),
      type: fields.get('type') ?? '',
      authorType: fields.get('author.type') ?? '',
      authorUserId:
        userIdRaw === undefined ? null : /^\d{1,15}$/.test(userIdRaw) ? Number(userIdRaw) : null,
      authorName: fields.get('author.name')?.slice(0, 200) ?? null,
      text: (fields.get('text') ?? '').slice(0, MAX_TEXT),
      messageType: fields.get('message_type') ?? 'text',
      leadId: positiveInt(elementLead) ?? positiveInt(entityLead),
    });
  }
  return { accountId: positiveInt(accountRaw), items };
}

/**
 * Whether the item is a person of the team writing to the customer (docs/kommo-contract.md §8.4):
 * an outgoing message (add_outgoing_message, or variant C's add_message with type=outgoing) by an
 * `internal` author with a real user id. Bots come as `bot` with user id 0 (variant A); a bot
 * posing as its owner (variant B) is told apart by its text, which the caller checks.
 */
export function isTeamMessage(item: ChatEventItem): boolean {
  const outgoing = item.event === 'add_outgoing_message' || item.type === 'outgoing';
  return (
    outgoing &&
    item.type !== 'incoming' &&
    item.authorType === 'internal' &&
    item.authorUserId !== null &&
    item.authorUserId > 0
  );
}
