import { type HandAddedStep } from '@gpt-bridge/shared';
import { type BotHandler, type BotJson, type BotStep } from './bot-json';

/**
 * Every UI-only handler of a script, by step: what the installer tells the user to add by hand,
 * and what the sandbox's strict mode takes as hand-added (`hand_added`), nothing else.
 */
export function handAddedSteps(bot: BotJson): HandAddedStep[] {
  const out: HandAddedStep[] = [];
  const visit = (step: number, handlers: BotHandler[]) => {
    for (const h of handlers) {
      const found = uiOnly(step, h);
      if (found) out.push(found);
      const result = (h.params as { result?: unknown } | undefined)?.result;
      if (h.handler === 'conditions' && Array.isArray(result)) visit(step, result as BotHandler[]);
    }
  };
  for (const [key, value] of Object.entries(bot)) {
    if (key === 'error') continue;
    const step = value as BotStep;
    for (const block of [step.question, step.answer ?? [], step.finish ?? []]) {
      visit(Number(key), block);
    }
  }
  return out.sort((a, b) => a.step - b.step);
}

function uiOnly(step: number, h: BotHandler): HandAddedStep | undefined {
  const p = (h.params ?? {}) as Record<string, unknown>;
  if (h.handler === 'webhook') return { step, kind: 'webhook', url: String(p.url) };
  if (h.handler === 'pause') return { step, kind: 'pause', seconds: Number(p.seconds) };
  if (h.handler === 'wait_answer' && p.timeout !== undefined) {
    const onTimeout = (p.on_timeout ?? {}) as Record<string, unknown>;
    return {
      step,
      kind: 'timed_wait',
      seconds: Number(p.timeout),
      onMessageStep: Number(p.step),
      onTimeoutStep: Number(onTimeout.step),
    };
  }
  return undefined;
}
