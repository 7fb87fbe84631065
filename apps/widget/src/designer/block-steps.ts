/** Our salesbot block's handler codes (manifest.json → salesbot_designer) and their webhook. */
export const BLOCK_KINDS = { ask_assistant: 'assistant', ask_chatgpt: 'chatgpt' } as const;
export type BlockCode = keyof typeof BLOCK_KINDS;

export const isBlockCode = (code: string): code is BlockCode => Object.hasOwn(BLOCK_KINDS, code);

/** What the block's settings hold when the designer saves it. */
export type BlockParams = { prompt?: unknown };

/**
 * The bot steps behind our block (Kommo runs widget_request only from a widget block). Step 0
 * calls GPT Bridge and waits; the backend continues with `goto` to step 1 when the AI answered
 * (`{{json.reply}}`, `{{json.intent}}`, `{{json.status}}`, `{{json.log}}` are then set) or to
 * step 2 when it failed; those steps leave through the block's exits.
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
            data: {
              prompt,
              message: '{{message_text}}',
              lead_id: '{{lead.id}}',
              next_step: 1,
              error_step: 2,
            },
          },
        },
      ],
    },
    { question: [{ handler: 'exits', params: { value: 'success' } }] },
    { question: [{ handler: 'exits', params: { value: 'fail' } }] },
  ];
}

/** Saved before GPT Bridge could be reached: the bot says so to the team and leaves by `fail`. */
export function unconnectedSteps(message: string): unknown[] {
  return [
    {
      question: [
        { handler: 'send_internal', params: { text: message } },
        { handler: 'exits', params: { value: 'fail' } },
      ],
    },
  ];
}
