import type OpenAI from 'openai';
import { type ConversationItem } from 'openai/resources/conversations/items';
import { type AiInput } from './provider.types';

/** The conversation's items API answers at most 100 per page (docs/ai-providers.md §1.4). */
const PAGE = 100;

export type RecoveredTurn = { text: string; cursor: string };

/**
 * This request's turn, if an earlier ask recorded it in the lead's Conversation: the items after
 * `cursor` (the newest item when the lead's last answer was stored) hold, in order, any turns
 * since then. One lead is served by one worker at a time, so a turn there whose question is this
 * request's is this request's; its assistant message is the answer we paid for and did not store
 * (docs/ai-providers.md §1.4). Null when it is not there, not whole, or not ours: then we ask.
 */
export async function recordedTurn(
  client: OpenAI,
  conversationId: string,
  cursor: string,
  input: AiInput,
  signal?: AbortSignal,
): Promise<RecoveredTurn | null> {
  const page = await client.conversations.items.list(
    conversationId,
    { order: 'asc', limit: PAGE, ...(cursor ? { after: cursor } : {}) },
    { signal },
  );
  const items = page.data;
  const last = items.at(-1);
  // More than a page since the last stored answer: not the state we left, so we do not guess.
  if (!last || page.has_more) return null;
  const question = items.findLastIndex((item) => isMessage(item, 'user'));
  const asked = items[question];
  if (!asked || !sameQuestion(asked, input)) return null;
  const replies = items.slice(question + 1).filter((item) => isMessage(item, 'assistant'));
  if (replies.some((item) => item.type === 'message' && item.status !== 'completed')) return null;
  const text = replies.map(replyText).join('');
  return text.trim() ? { text, cursor: last.id ?? cursor } : null;
}

function isMessage(item: ConversationItem, role: 'user' | 'assistant'): boolean {
  return item.type === 'message' && item.role === role;
}

/** The same text and the same number of images as the message we send (userResponseMessage). */
function sameQuestion(item: ConversationItem, input: AiInput): boolean {
  if (item.type !== 'message') return false;
  const text = item.content.map((part) => (part.type === 'input_text' ? part.text : '')).join('');
  const images = item.content.filter((part) => part.type === 'input_image').length;
  return text === input.text && images === input.images.length;
}

function replyText(item: ConversationItem): string {
  if (item.type !== 'message') return '';
  const texts = item.content.map((part) => (part.type === 'output_text' ? part.text : ''));
  const refusals = item.content.map((part) => (part.type === 'refusal' ? part.refusal : ''));
  // As responseAnswer: a refusal is still something the model said to the customer.
  return texts.join('').trim() ? texts.join('') : refusals.join('');
}
