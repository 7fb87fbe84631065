import { type LeadFieldKey } from '@gpt-bridge/shared';
import {
  addNote,
  BotBuilder,
  type BuiltBot,
  cf,
  goto,
  sendInternal,
  setField,
  setTag,
  show,
  stop,
  unsetTag,
  when,
  widgetRequest,
} from './bot-json';
import { addAttendantStep, addReceiveSteps } from './receive-steps';
import {
  ERROR_TAG,
  imagePrompt,
  INTENTS,
  intentPrompt,
  ON_OFF_VALUES,
  TEMPLATE_TEXTS,
  type TemplateLanguage,
} from './template-texts';

/** The `{{json.status}}` our continue sends when the AI answered (`error` when it failed). */
export const STATUS_OK = 'ok';

/** The `{{json.status}}` of a block the AI stays silent in: a person has the lead (issue 22). */
export const STATUS_HUMAN = 'human';

/** The fields the widget-block template reads and writes (it needs no ANSWER / LOG polling). */
export const WIDGET_BLOCK_FIELDS = [
  'MESSAGE',
  'PROMPT',
  'ON_OFF',
] as const satisfies readonly LeadFieldKey[];

export type WidgetBlockTemplateInput = {
  fieldIds: Pick<Record<LeadFieldKey, number>, (typeof WIDGET_BLOCK_FIELDS)[number]>;
  /** The ChatGPT webhook's widget_request URL (`/{token}/widget-request`). */
  chatgptUrl: string;
  /** The Assistant webhook's widget_request URL. */
  assistantUrl: string;
  language?: TemplateLanguage;
};

/**
 * The widget-block template, the recommended one: documented handlers only (it runs in the
 * sandbox's strict mode as is). The classic conversation, but each AI call is our salesbot block
 * (`widget_request`), which the backend continues the moment the answer exists, with
 * `{{json.reply}}`, `{{json.intent}}`, `{{json.status}}` and `{{json.log}}`; the step after each
 * block branches on `{{json.status}}`. So there is no
 * pause step at all: no 5 s / 10 s polling, and a failed call is retried at once (the backend
 * already retried the provider within its own 45 s budget). Image branch: when the intent call's
 * log says `#image`, ChatGPT describes the picture first and the Assistant gets the description.
 */
export function buildWidgetBlockTemplate(input: WidgetBlockTemplateInput): BuiltBot {
  const f = input.fieldIds;
  const t = TEMPLATE_TEXTS[input.language ?? 'en'];
  const b = new BotBuilder();
  const r = (name: string) => b.ref(name);
  const jsonLog = '{{json.log}}';
  const intentIs = (tag: string) => ({ term1: '{{json.intent}}', operation: '=', term2: tag });

  /**
   * Our block, in Kommo's documented pattern (docs/kommo-contract.md §5.2): `widget_request`,
   * then a `goto` to a step that branches on `{{json.status}}` (`ok` → `next`, `human` → the
   * `human` exit, else `error`).
   * `next_step` names that same branch step, so the continue's own `goto` is only a fallback
   * that lands where the block's `goto` would.
   */
  const block = (
    name: string,
    role: string,
    url: string,
    prompt: string,
    next: string,
    error: string,
  ) => {
    const branch = `${name}-status`;
    b.add(name, role, [
      widgetRequest(url, { prompt, lead_id: '{{lead.id}}', next_step: r(branch) }),
      goto(r(branch)),
    ]);
    b.add(branch, `${role}: branch on {{json.status}}`, [
      when(
        'and',
        [{ term1: '{{json.status}}', operation: '=', term2: STATUS_OK }],
        [goto(r(next))],
      ),
      when(
        'and',
        [{ term1: '{{json.status}}', operation: '=', term2: STATUS_HUMAN }],
        [goto(r('human'))],
      ),
      goto(r(error)),
    ]);
  };

  /** First failure: tag, note, "just a moment", and the same block once more at once. */
  const firstFailure = (name: string, retry: string) =>
    b.add(name, 'Error branch, first failure: tag, note, "just a moment", retry at once', [
      setTag(ERROR_TAG),
      addNote(t.errorNote(jsonLog, 'now')),
      show(t.justAMoment),
      goto(r(retry)),
    ]);

  // Receive and store, as in the classic template but without its 20 s window: that is a timed
  // wait, which has no documented JSON, and this template uses documented handlers only.
  addReceiveSteps(b, { MESSAGE: f.MESSAGE, ON_OFF: f.ON_OFF }, { window: false });

  // Intent: the GPT Bridge block (ChatGPT) classifies MESSAGE; {{json.intent}} is its #tag.
  block(
    'intent',
    'Intent prompt through the GPT Bridge block (ChatGPT)',
    input.chatgptUrl,
    intentPrompt(cf(f.MESSAGE)),
    'route',
    'intent-error',
  );
  b.add('route', 'Intent conditions: #Attendant / image / #Meeting / #Greeting / #General', [
    when('and', [intentIs(INTENTS.attendant)], [goto(r('attendant'))]),
    // Image branch: the block's log says the message carried a picture.
    when('and', [{ term1: jsonLog, operation: 'contains', term2: '#image' }], [goto(r('image'))]),
    when(
      'or',
      [intentIs(INTENTS.meeting), intentIs(INTENTS.greeting)],
      [goto(r('assistant-prompt'))],
    ),
    goto(r('assistant-prompt')),
  ]);
  addAttendantStep(b, f, t.attendantInternal);
  block(
    'image',
    'Image branch: ChatGPT describes the picture for the Assistant',
    input.chatgptUrl,
    imagePrompt(cf(f.MESSAGE)),
    'image-described',
    'assistant-prompt',
  );
  b.add('image-described', 'Image branch: PROMPT = MESSAGE + the description', [
    setField(f.PROMPT, `${cf(f.MESSAGE)}\n\n${t.imageSays('{{json.reply}}')}`),
    goto(r('assistant')),
  ]);

  // Answer: PROMPT = MESSAGE, the GPT Bridge block (Assistant) continues with {{json.reply}}.
  b.add('assistant-prompt', 'PROMPT = MESSAGE', [
    setField(f.PROMPT, cf(f.MESSAGE)),
    goto(r('assistant')),
  ]);
  block(
    'assistant',
    'The GPT Bridge block (Assistant)',
    input.assistantUrl,
    cf(f.PROMPT),
    'reply',
    'assistant-error',
  );
  b.add('reply', 'Send the answer to the customer, then back to waiting', [
    show('{{json.reply}}'),
    goto(r('wait')),
  ]);

  // The `human` exit: a person of the team is talking to the customer (issue 22). Nothing is
  // sent; the bot waits for the customer's next message, which the backend answers again once
  // the person has been silent for the account's silence time (or the pause is resumed).
  b.add('human', 'A person has the lead: no answer, back to waiting', [goto(r('wait'))]);

  // Error branch: one immediate retry per block, then the users are told and the bot stops.
  firstFailure('intent-error', 'intent-retry');
  block(
    'intent-retry',
    'Retry of the intent prompt',
    input.chatgptUrl,
    intentPrompt(cf(f.MESSAGE)),
    'intent-recovered',
    'fatal',
  );
  b.add('intent-recovered', 'The retry answered: remove the tag', [
    unsetTag(ERROR_TAG),
    goto(r('route')),
  ]);
  firstFailure('assistant-error', 'assistant-retry');
  block(
    'assistant-retry',
    'Retry of the Assistant block',
    input.assistantUrl,
    cf(f.PROMPT),
    'assistant-recovered',
    'fatal',
  );
  b.add('assistant-recovered', 'The retry answered: remove the tag', [
    unsetTag(ERROR_TAG),
    goto(r('reply')),
  ]);
  // Reached only from a retry, so the first failure already tagged the lead.
  b.add(
    'fatal',
    'Error branch, second failure: note, internal message to the users, stop',
    [
      setField(f.ON_OFF, ON_OFF_VALUES.error),
      addNote(t.fatalNote(jsonLog)),
      sendInternal(t.fatalInternal(jsonLog)),
    ],
    [stop()],
  );
  // A block Kommo could not run (GPT Bridge unreachable, no continue in time).
  b.add(
    'unreachable',
    'GPT Bridge could not be reached: note, internal message, stop',
    [
      setTag(ERROR_TAG),
      setField(f.ON_OFF, ON_OFF_VALUES.error),
      addNote(t.unreachable),
      sendInternal(t.unreachable),
    ],
    [stop()],
  );
  b.onError([goto(r('unreachable'))]);
  return b.build();
}
