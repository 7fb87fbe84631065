import { type BotBuilder, cf, goto, setField, stop, waitAnswer, when } from './bot-json';

/** How long the bot waits after a message for more before asking (documented flow: 20 s). */
export const BURST_WINDOW_SECONDS = 20;

/**
 * The part both templates share: receive a message (silent while ON_OFF is filled), store it in
 * MESSAGE, then append further messages during the window. Ends by jumping to the step named
 * `intent`, which each template defines. The classic template also clears ANSWER_RECEIVED here,
 * since its wait loops read it.
 */
export function addReceiveSteps(
  b: BotBuilder,
  fields: { MESSAGE: number; ON_OFF: number; ANSWER_RECEIVED?: number },
): void {
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
  b.add('off', 'ON_OFF is filled (a person took over, or the bot gave up): no answer', [stop()]);
  b.add('wait', "Wait for the customer's message", [waitAnswer(r('start'))]);
  b.add('store', 'Store the message in MESSAGE', [
    setField(fields.MESSAGE, '{{message_text}}'),
    goto(r('window')),
  ]);
  b.add('window', `${BURST_WINDOW_SECONDS}-second window for further messages`, [
    waitAnswer(r('append'), { seconds: BURST_WINDOW_SECONDS, then: r('intent') }),
  ]);
  b.add('append', 'Append the further message to MESSAGE; the window opens again', [
    setField(fields.MESSAGE, `${cf(fields.MESSAGE)}\n{{message_text}}`),
    goto(r('window')),
  ]);
}
