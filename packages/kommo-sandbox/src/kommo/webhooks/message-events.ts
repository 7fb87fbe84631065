import { randomUUID } from 'node:crypto';
import qs from 'qs';
import { type KommoAccount, type WebhookSettings } from '../types.js';
import { type WebhookEvent } from './subscriptions.js';

/** A message written in a lead's chat, by whom (docs/kommo-contract.md §8.1.2). */
export type ChatMessage = {
  accountId: number;
  leadId: number;
  text: string;
  /** The chat's channel (`origin`). */
  origin: string;
  /** Sandbox time (ms). */
  at: number;
  author:
    | { kind: 'customer'; name: string }
    | { kind: 'team'; userId: number; name: string }
    | { kind: 'bot'; botId: number; name: string };
};

/** One event to send: its name and the form body Kommo posts for it. */
export type MessageEvent = { event: WebhookEvent; messageId: string; body: string };

/** The chat service's ids for a lead's chat; stable for the lead's life in the sandbox. */
type ChatIds = { chatId: string; talkId: number; contactId: number; contactUuid: string };

/**
 * Builds `add_message` / `add_outgoing_message` bodies (§8.1.2, §8.1.3): PHP-style form keys,
 * one item per request, `account[…]` beside it, no signature. The store has no contacts or talks,
 * so their ids are made up here once per lead.
 */
export class MessageEvents {
  private chats = new Map<string, ChatIds>();
  private authorUuids = new Map<string, string>();
  private nextTalkId = 5_001;
  private nextContactId = 2_000_001;

  /** The events for `message` under `settings`; empty when nothing is reported (a muted bot). */
  build(account: KommoAccount, message: ChatMessage, settings: WebhookSettings): MessageEvent[] {
    const { author } = message;
    if (author.kind === 'bot' && settings.botMessages === 'none') return [];
    const messageId = randomUUID();
    const ids = this.chatIds(message);
    const item: Record<string, unknown> = {
      id: messageId,
      chat_id: ids.chatId,
      talk_id: ids.talkId,
      contact_id: ids.contactId,
      text: message.text,
      created_at: Math.floor(message.at / 1000),
      element_type: 2,
      element_id: message.leadId,
      entity_type: 'lead',
      entity_id: message.leadId,
      message_type: 'text',
      origin: message.origin,
    };
    const accountPart = {
      id: account.id,
      subdomain: account.subdomain,
      _links: { self: `https://${account.host}` },
    };
    const encode = (key: 'message' | 'outgoing_message', body: Record<string, unknown>) =>
      qs.stringify({ [key]: { add: [body] }, account: accountPart });

    if (author.kind === 'customer') {
      const customer = { id: ids.contactUuid, type: 'external', name: author.name, avatar_url: '' };
      return [
        {
          event: 'add_message',
          messageId,
          body: encode('message', { ...item, type: 'incoming', author: customer }),
        },
      ];
    }
    const outgoing = {
      ...item,
      type: 'outgoing',
      author: this.outgoingAuthor(account, author, settings),
      recipient: { id: ids.contactUuid, type: 'external', name: '' },
      source_id: '',
    };
    const mode = settings.outgoingMessages;
    const events: MessageEvent[] = [];
    if (mode !== 'add_message') {
      events.push({
        event: 'add_outgoing_message',
        messageId,
        body: encode('outgoing_message', outgoing),
      });
    }
    if (mode !== 'add_outgoing_message') {
      events.push({ event: 'add_message', messageId, body: encode('message', outgoing) });
    }
    return events;
  }

  reset(): void {
    this.chats.clear();
    this.authorUuids.clear();
  }

  /** `internal` + the user's id for a person; a bot is `bot` (or its owner, variant B). */
  private outgoingAuthor(
    account: KommoAccount,
    author: Exclude<ChatMessage['author'], { kind: 'customer' }>,
    settings: WebhookSettings,
  ): Record<string, unknown> {
    if (author.kind === 'team') {
      return {
        id: this.authorUuid(`user:${author.userId}`),
        type: 'internal',
        user_id: author.userId,
        name: author.name,
      };
    }
    if (settings.botMessages === 'owner') {
      const owner = account.users.find((user) => user.id === account.current_user_id);
      return {
        id: this.authorUuid(`user:${account.current_user_id}`),
        type: 'internal',
        user_id: account.current_user_id,
        name: owner?.name ?? '',
      };
    }
    return {
      id: this.authorUuid(`bot:${author.botId}`),
      type: 'bot',
      user_id: 0,
      name: author.name,
    };
  }

  private chatIds(message: ChatMessage): ChatIds {
    const key = `${message.accountId}:${message.leadId}`;
    let ids = this.chats.get(key);
    if (!ids) {
      ids = {
        chatId: randomUUID(),
        talkId: this.nextTalkId++,
        contactId: this.nextContactId++,
        contactUuid: randomUUID(),
      };
      this.chats.set(key, ids);
    }
    return ids;
  }

  /** The chat service's id of a user or a bot (`user:{id}`, `bot:{id}`). */
  private authorUuid(key: string): string {
    let uuid = this.authorUuids.get(key);
    if (!uuid) {
      uuid = randomUUID();
      this.authorUuids.set(key, uuid);
    }
    return uuid;
  }
}
