import {
  type BotBuilder,
  cf,
  goto,
  sendInternal,
  setField,
  stop,
  waitAnswer,
  when,
} from './bot-json';
import { ON_OFF_VALUES } from './template-texts';

/**
 * How long the template waits after a message for more before asking: a few seconds, the pause
 * between messages of one burst. It was 20 s; it can be short because a message that comes later
 * is not lost: the classic template keeps listening while the AI answers (its wait loops are
 * waits for a message), asks again with every message, and the backend answers only the newest
 * of a lead's pending requests (`domain/requests/coalesce`, docs/architecture.md).
 */
export const BURST_WINDOW_SECONDS = 3;

/** The window the templates had before issue 22: the bench's fixed-wait baseline. */
export const FIXED_WAIT_WINDOW_SECONDS = 20;

/**
 * The part both templates share first: receive a message (silent while ON_OFF is filled) and store it
 * in MESSAGE. Ends by jumping to the step named `intent`, which each template defines.
 *
 * `window: true` (classic; widget-block on request): then a window of `windowSeconds`
 * (`BURST_WINDOW_SECONDS`) appends further messages to MESSAGE; each message opens it again. That
 * window is a wait with a time limit, a designer step with no documented JSON, so the installer
 * lists it to add by hand. The widget-block template uses documented handlers only by default, so
 * it has no window unless asked for one. The classic template also clears ANSWER_RECEIVED here,
 * since its wait loops read it. `append` is where a further message lands (the classic wait
 * loops send messages there too).
 */
export function addReceiveSteps(
  b: BotBuilder,
  fields: { MESSAGE: number; ON_OFF: number; ANSWER_RECEIVED?: number },
  options: { window: boolean; windowSeconds?: number },
): void {
  const seconds = options.windowSeconds ?? BURST_WINDOW_SECONDS;
  const r = (name: string) => b.ref(name);
  const clear = fields.ANSWER_RECEIVED === undefined ? [] : [setField(fields.ANSWER_RECEIVED, '')];
  b.add(
    'start',
    clear.length > 0
      ? 'Receive: clear ANSWER_RECEIVED; stay silent while ON_OFF is filled'
      : 'Receive: stay silent while ON_OFF is filled',
    [
      ...clear,
      when('and', [{ term1: cf(fields.ON_OFF), operation: 'filled' }], [goto(r('off'))]),
      // Started without a message (e.g. by a pipeline trigger): wait for one.
      when('and', [{ term1: '{{message_text}}', operation: 'empty' }], [goto(r('wait'))]),
      goto(r('store')),
    ],
  );
  // Kommo documents `stop` in a finish block only: the empty question falls through to it.
  b.add(
    'off',
    'ON_OFF is filled (a person took over, or the bot gave up): no answer',
    [],
    [stop()],
  );
  b.add('wait', "Wait for the customer's message", [waitAnswer(r('start'))]);
  if (!options.window) {
    b.add('store', 'Store the message in MESSAGE', [
      setField(fields.MESSAGE, '{{message_text}}'),
      goto(r('intent')),
    ]);
    return;
  }
  b.add('store', 'Store the message in MESSAGE', [
    setField(fields.MESSAGE, '{{message_text}}'),
    goto(r('window')),
  ]);
  b.add('window', `${seconds}-second window for further messages`, [
    waitAnswer(r('append'), { seconds, then: r('intent') }),
  ]);
  b.add('append', 'Append the further message to MESSAGE; the window opens again', [
    setField(fields.MESSAGE, `${cf(fields.MESSAGE)}\n{{message_text}}`),
    goto(r('window')),
  ]);
}

/**
 * The step both templates route #Attendant to: clear PROMPT, fill ON_OFF (which keeps the bot
 * quiet on the customer's next messages until a person clears it), tell the users, stop.
 */
export function addAttendantStep(
  b: BotBuilder,
  fields: { PROMPT: number; ON_OFF: number },
  internalMessage: string,
): void {
  b.add(
    'attendant',
    '#Attendant: clear PROMPT, tell the users, stop so a person answers',
    [
      setField(fields.PROMPT, ''),
      setField(fields.ON_OFF, ON_OFF_VALUES.attendant),
      sendInternal(internalMessage),
    ],
    [stop()],
  );
}
