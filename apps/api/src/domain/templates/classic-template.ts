import { type LeadFieldKey } from '@gpt-bridge/shared';
import {
  addNote,
  BotBuilder,
  type BotHandler,
  type BuiltBot,
  cf,
  type Condition,
  goto,
  pause,
  sendInternal,
  setField,
  setTag,
  show,
  type StepRef,
  stop,
  unsetTag,
  webhook,
  when,
} from './bot-json';
import { addAttendantStep, addReceiveSteps, BURST_WINDOW_SECONDS } from './receive-steps';
import {
  ERROR_TAG,
  INTENTS,
  intentPrompt,
  ON_OFF_VALUES,
  TEMPLATE_TEXTS,
  type TemplateLanguage,
} from './template-texts';

export type ClassicTemplateInput = {
  /** Kommo ids of the installation's six lead fields. */
  fieldIds: Record<LeadFieldKey, number>;
  /** The ChatGPT webhook (`/{token}/handler`). */
  chatgptUrl: string;
  /** The Assistant webhook (`/{token}/handler`). */
  assistantUrl: string;
  language?: TemplateLanguage;
  /**
   * `?model=` of the ChatGPT webhook, only when the owner chose one. Without it the backend's
   * default applies (`OPENAI_DEFAULT_MODEL`), so a template installed once never pins a model that
   * OpenAI later retires.
   */
  model?: string;
};

/**
 * The classic template's waits. The loops are bounded: our backend writes ANSWER_RECEIVED within
 * its retry budget (45 s) plus one Kommo write, so 60 s / 90 s of polling means it is not coming.
 */
export const CLASSIC_TIMING = {
  burstWindowSeconds: BURST_WINDOW_SECONDS,
  chatgptPollSeconds: 5,
  chatgptPolls: 12,
  assistantPollSeconds: 10,
  assistantPolls: 9,
  retryPauseSeconds: 45,
} as const;

type Stage = {
  name: string;
  label: string;
  url: string;
  pollSeconds: number;
  polls: number;
  /** Handlers before the webhook (what goes into PROMPT). */
  prepare: BotHandler[];
  /** Where a failure (LOG error, ON_OFF, no answer in time) goes. */
  onFailure: StepRef;
  /** What runs after an answer (ends in a goto). */
  onSuccess: BotHandler[];
};

/**
 * The classic template (docs/product.md §3): the salesbot calls our two webhooks and polls the
 * lead's ANSWER_RECEIVED. Step numbers follow the flow; every step's role is in the outline the
 * installer returns. Documented handlers wherever one exists; its "Send webhook", "Pause" and
 * 20 s window steps have no documented JSON, so the installer lists them to add by hand
 * (`hand-added.ts`) and the sandbox's strict mode takes them only there.
 */
export function buildClassicTemplate(input: ClassicTemplateInput): BuiltBot {
  const f = input.fieldIds;
  const t = TEMPLATE_TEXTS[input.language ?? 'en'];
  const b = new BotBuilder();
  const r = (name: string) => b.ref(name);
  const log = cf(f.LOG);
  const failed: Condition[] = [
    { term1: log, operation: 'contains', term2: 'ERROR' },
    { term1: cf(f.ON_OFF), operation: 'filled' },
  ];
  const answerHas = (tag: string): Condition => ({
    term1: cf(f.ANSWER),
    operation: 'contains',
    term2: tag,
  });

  /** Webhook + bounded wait loop on ANSWER_RECEIVED + the check of LOG and ON_OFF. */
  const stage = (s: Stage) => {
    const wait = (k: number) => `${s.name}-wait-${k}`;
    b.add(s.name, `${s.label}: clear ANSWER_RECEIVED, call the webhook`, [
      ...s.prepare,
      setField(f.ANSWER_RECEIVED, ''),
      webhook(s.url),
      goto(r(wait(1))),
    ]);
    for (let k = 1; k <= s.polls; k += 1) {
      b.add(
        wait(k),
        `${s.label}: ${s.pollSeconds}-second wait loop on ANSWER_RECEIVED (${k} of ${s.polls})`,
        [
          pause(s.pollSeconds),
          when(
            'and',
            [{ term1: cf(f.ANSWER_RECEIVED), operation: 'filled' }],
            [goto(r(`${s.name}-result`))],
          ),
          goto(r(k < s.polls ? wait(k + 1) : `${s.name}-timeout`)),
        ],
      );
    }
    b.add(`${s.name}-timeout`, `${s.label}: no answer after ${s.polls} loops, error branch`, [
      setField(f.LOG, t.timeoutLog(s.polls * s.pollSeconds)),
      goto(s.onFailure),
    ]);
    b.add(`${s.name}-result`, `${s.label}: clear ANSWER_RECEIVED; LOG and ON_OFF decide`, [
      setField(f.ANSWER_RECEIVED, ''),
      // A person has the lead (issue 22): stop without a word, not through the error branch.
      when(
        'and',
        [{ term1: cf(f.ON_OFF), operation: '=', term2: ON_OFF_VALUES.human }],
        [goto(r('off'))],
      ),
      when('or', failed, [goto(s.onFailure)]),
      ...s.onSuccess,
    ]);
  };

  /** First failure: tag, note, "just a moment", 45 s, one retry (none when ON_OFF is filled). */
  const firstFailure = (name: string, retry: string) =>
    b.add(name, 'Error branch, first failure: tag, note, "just a moment", 45 s pause, retry', [
      setTag(ERROR_TAG),
      addNote(t.errorNote(log, 'pause')),
      // ON_OFF filled by the backend (quota reached, account disabled): a retry cannot help.
      when('and', [{ term1: cf(f.ON_OFF), operation: 'filled' }], [goto(r('fatal'))]),
      show(t.justAMoment),
      pause(CLASSIC_TIMING.retryPauseSeconds),
      goto(r(retry)),
    ]);

  const chatgptUrl = input.model
    ? withQuery(input.chatgptUrl, 'model', input.model)
    : input.chatgptUrl;

  // Receive, store in MESSAGE, the window for further messages (shared with widget-block).
  addReceiveSteps(b, f, { window: true });

  // Intent: the ChatGPT webhook classifies MESSAGE; the answer (a #tag) lands in ANSWER.
  stage({
    name: 'intent',
    label: 'Intent prompt to the ChatGPT webhook',
    url: chatgptUrl,
    pollSeconds: CLASSIC_TIMING.chatgptPollSeconds,
    polls: CLASSIC_TIMING.chatgptPolls,
    prepare: [setField(f.PROMPT, intentPrompt(cf(f.MESSAGE)))],
    onFailure: r('intent-error'),
    onSuccess: [goto(r('route'))],
  });
  b.add('route', 'Intent conditions: #Attendant / #Meeting / #Greeting / #General', [
    when('or', [answerHas(INTENTS.attendant)], [goto(r('attendant'))]),
    // #Meeting and #Greeting are answered by the Assistant too; branch here to do more.
    when('or', [answerHas(INTENTS.meeting)], [goto(r('assistant'))]),
    when('or', [answerHas(INTENTS.greeting)], [goto(r('assistant'))]),
    goto(r('assistant')),
  ]);
  addAttendantStep(b, f, t.attendantInternal);

  // Answer: PROMPT = MESSAGE, the Assistant webhook writes the reply into ANSWER.
  stage({
    name: 'assistant',
    label: 'PROMPT = MESSAGE, the Assistant webhook',
    url: input.assistantUrl,
    pollSeconds: CLASSIC_TIMING.assistantPollSeconds,
    polls: CLASSIC_TIMING.assistantPolls,
    prepare: [setField(f.PROMPT, cf(f.MESSAGE))],
    onFailure: r('assistant-error'),
    onSuccess: [goto(r('reply'))],
  });
  b.add('reply', 'Send the answer to the customer, then back to waiting', [
    show(cf(f.ANSWER)),
    goto(r('wait')),
  ]);

  // Error branch: one retry per webhook after 45 s, then the users are told and the bot stops.
  firstFailure('intent-error', 'intent-retry');
  stage({
    name: 'intent-retry',
    label: 'Retry of the intent prompt',
    url: chatgptUrl,
    pollSeconds: CLASSIC_TIMING.chatgptPollSeconds,
    polls: CLASSIC_TIMING.chatgptPolls,
    prepare: [],
    onFailure: r('fatal'),
    onSuccess: [unsetTag(ERROR_TAG), goto(r('route'))],
  });
  firstFailure('assistant-error', 'assistant-retry');
  stage({
    name: 'assistant-retry',
    label: 'Retry of the Assistant webhook',
    url: input.assistantUrl,
    pollSeconds: CLASSIC_TIMING.assistantPollSeconds,
    polls: CLASSIC_TIMING.assistantPolls,
    prepare: [],
    onFailure: r('fatal'),
    onSuccess: [unsetTag(ERROR_TAG), goto(r('reply'))],
  });
  // The tag is already on the lead: the first failure put it there.
  b.add(
    'fatal',
    'Error branch, second failure: note, internal message to the users, stop',
    [
      when(
        'and',
        [{ term1: cf(f.ON_OFF), operation: 'empty' }],
        [setField(f.ON_OFF, ON_OFF_VALUES.error)],
      ),
      addNote(t.fatalNote(log)),
      sendInternal(t.fatalInternal(log)),
    ],
    [stop()],
  );
  // A step Kommo could not run (e.g. an empty answer to show) ends like a second failure.
  b.onError([setTag(ERROR_TAG), goto(r('fatal'))]);
  return b.build();
}

/** Adds `key=value` to a URL that may already have a query. */
export function withQuery(url: string, key: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(key, value);
  return parsed.toString();
}
