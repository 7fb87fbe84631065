/** Our salesbot block's handler codes (manifest.json → salesbot_designer) and their webhook. */
export const BLOCK_KINDS = { ask_assistant: 'assistant', ask_chatgpt: 'chatgpt' } as const;
export type BlockCode = keyof typeof BLOCK_KINDS;

export const isBlockCode = (code: string): code is BlockCode => Object.hasOwn(BLOCK_KINDS, code);

/** What the block's settings hold when the designer saves it. */
export type BlockParams = { prompt?: unknown };

/** The `{{json.status}}` our continue sends when the AI answered (`error` when it failed). */
export const STATUS_OK = 'ok';

/** The `{{json.status}}` when a person of the team has the lead and the AI stays silent. */
export const STATUS_HUMAN = 'human';

/**
 * The bot steps behind our block (Kommo runs widget_request only from a widget block), in
 * Kommo's documented pattern (docs/kommo-contract.md §5.2, §6.4): step 0 calls GPT Bridge, waits
 * for the continue and goes on to step 1; step 1 leaves by `success` when `{{json.status}}` is
 * `ok` (`{{json.reply}}`, `{{json.intent}}`, `{{json.log}}` are then set), by `human` when a
 * person of the team is talking to the customer (issue 22: the bot must say nothing), and by
 * `fail` otherwise. `next_step: 1` makes the continue's own `goto` land on the same branch, so the
 * block works whether Kommo follows that `goto` or the block's.
 */
export function blockSteps(widgetRequestUrl: string, params: BlockParams): unknown[] {
  const prompt =
    typeof params.prompt === 'string' && params.prompt.trim() !== ''
      ? params.prompt
      : '{{message_text}}';
  return [
    {
      question: [
        {
          handler: 'widget_request',
          params: {
            url: widgetRequestUrl,
            data: { prompt, message: '{{message_text}}', lead_id: '{{lead.id}}', next_step: 1 },
          },
        },
        { handler: 'goto', params: { type: 'question', step: 1 } },
      ],
    },
    {
      question: [
        {
          handler: 'conditions',
          params: {
            logic: 'and',
            conditions: [{ term1: '{{json.status}}', term2: STATUS_OK, operation: '=' }],
            result: [{ handler: 'exits', params: { value: 'success' } }],
          },
        },
        {
          handler: 'conditions',
          params: {
            logic: 'and',
            conditions: [{ term1: '{{json.status}}', term2: STATUS_HUMAN, operation: '=' }],
            result: [{ handler: 'exits', params: { value: 'human' } }],
          },
        },
        { handler: 'exits', params: { value: 'fail' } },
      ],
    },
  ];
}

/**
 * Saved before GPT Bridge could be reached: the bot says so to the team and leaves by `fail`.
 * `send_internal` in its documented form (docs/kommo-contract.md §5.4): about the lead, to the
 * account's users.
 */
export function unconnectedSteps(message: string): unknown[] {
  return [
    {
      question: [
        {
          handler: 'send_internal',
          params: { entity_id: '{{lead.id}}', entity_type: 2, message },
        },
        { handler: 'exits', params: { value: 'fail' } },
      ],
    },
  ];
}
