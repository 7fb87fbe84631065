import { type Run } from './engine-types.js';

export type EntryKind =
  | 'customer'
  | 'bot'
  | 'team'
  | 'internal'
  | 'note'
  | 'tag_added'
  | 'tag_removed'
  | 'field'
  | 'status'
  | 'http'
  | 'event'
  | 'error';

/** One line of a lead's chat as the chat page and the tests read it. */
export type TranscriptEntry = {
  seq: number;
  /** Sandbox time (ms). */
  at: number;
  kind: EntryKind;
  text: string;
  runId?: number;
  botId?: number;
  buttons?: string[];
  detail?: Record<string, unknown>;
};

/** A lead's chat: the transcript, the last customer message and the current (or last) run. */
export type Chat = {
  accountId: number;
  leadId: number;
  origin: string;
  messageText: string;
  /** The customer's name: `{{contact.name}}` (the Kommo store has no contacts). */
  contactName: string;
  entries: TranscriptEntry[];
  run: Run | undefined;
  runCount: number;
  /** One-shot listeners of a waiting run (wait_answer, waits, the answer block). */
  messageListeners: Set<(text: string) => void>;
};

// A long-running sandbox must not grow without bound; old lines go first.
const MAX_ENTRIES = 2_000;

/** The entries that are messages in the chat (what account webhooks report, §8.1.2). */
const MESSAGE_KINDS = new Set<EntryKind>(['customer', 'bot', 'team']);

export class ChatStore {
  private chats = new Map<string, Chat>();
  private seq = 0;
  /** Called after a message (customer, bot or team member) is appended; must not throw or block. */
  onMessage: (chat: Chat, entry: TranscriptEntry) => void = () => undefined;

  get(accountId: number, leadId: number, origin: string): Chat {
    const key = `${accountId}:${leadId}`;
    let chat = this.chats.get(key);
    if (!chat) {
      chat = {
        accountId,
        leadId,
        origin,
        messageText: '',
        contactName: '',
        entries: [],
        run: undefined,
        runCount: 0,
        messageListeners: new Set(),
      };
      this.chats.set(key, chat);
    }
    return chat;
  }

  find(accountId: number, leadId: number): Chat | undefined {
    return this.chats.get(`${accountId}:${leadId}`);
  }

  all(): Chat[] {
    return [...this.chats.values()];
  }

  clear(): void {
    this.chats.clear();
  }

  list(accountId: number): Chat[] {
    return [...this.chats.values()].filter((chat) => chat.accountId === accountId);
  }

  append(chat: Chat, entry: Omit<TranscriptEntry, 'seq'>): TranscriptEntry {
    const full = { seq: ++this.seq, ...entry };
    chat.entries.push(full);
    if (chat.entries.length > MAX_ENTRIES) {
      chat.entries.splice(0, chat.entries.length - MAX_ENTRIES);
    }
    if (MESSAGE_KINDS.has(full.kind)) this.onMessage(chat, full);
    return full;
  }

  /** Wakes the runs waiting for a customer message; true if one was waiting. */
  deliver(chat: Chat, text: string): boolean {
    const listeners = [...chat.messageListeners];
    chat.messageListeners.clear();
    for (const listener of listeners) listener(text);
    return listeners.length > 0;
  }
}
