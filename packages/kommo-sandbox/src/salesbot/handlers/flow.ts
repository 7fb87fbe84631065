import { isRecord, parseBlockRef, parseHandlers } from '../bot-schema.js';
import {
  compareTerms,
  evaluateConditions,
  evaluateValidation,
  StepError,
  toRegExp,
} from '../conditions.js';
import { type Flow, type HandlerContext, type HandlerFn, NEXT } from '../engine-types.js';
import { record } from './messages.js';

/** `goto`: `{type: question|answer|finish, step}`; the target block runs at once. */
export const goto: HandlerFn = (_ctx, params) => {
  const target = parseBlockRef(params);
  if (!target) throw new StepError('goto needs {type: question|answer|finish, step}');
  return { type: 'goto', target };
};

/** `stop`: `{action: talk-close}` closes the talk, `{action: salesbot-start, bot}` hands over. */
export const stop: HandlerFn = (ctx, params) => {
  const p = record(params);
  if (p.action === 'salesbot-start') {
    const bot = Number(p.bot);
    if (!Number.isInteger(bot)) throw new StepError('salesbot-start needs "bot"');
    return { type: 'end', status: 'finished', reason: `stop: starting bot ${bot}`, startBot: bot };
  }
  if (p.action === 'talk-close') ctx.record('event', 'Talk closed');
  const action = typeof p.action === 'string' ? `: ${p.action}` : '';
  return { type: 'end', status: 'finished', reason: `stop${action}` };
};

/** `conditions`: `{logic, conditions: [{term1, term2, operation}], result: [...]}`. */
export const conditions: HandlerFn = (ctx, params) => {
  const p = record(params);
  const hit = evaluateConditions(p, ctx.renderTerm);
  return branch(ctx, hit, p.result, 'conditions');
};

/** `condition`: the documented singular form `{term1, term2, operation, result}`. */
export const condition: HandlerFn = (ctx, params) => {
  const p = record(params);
  // The Visual Builder saves the plural shape under the singular name.
  if (Array.isArray(p.conditions)) return conditions(ctx, params);
  const hit = compareTerms(
    ctx.renderTerm(p.term1),
    ctx.renderTerm(p.term2 ?? p.value),
    p.operation,
  );
  return branch(ctx, hit, p.result, 'condition');
};

export const validations: HandlerFn = (ctx, params) => {
  const p = record(params);
  const list = Array.isArray(p.conditions) ? p.conditions : [];
  const results = list.map((item) => evaluateValidation(record(item), ctx.renderTerm));
  const hit = p.logic === 'or' ? results.some(Boolean) : results.every(Boolean);
  return branch(ctx, hit, p.result, 'validations');
};

/**
 * `buttons` (in an answer block): `[{value | regex | synonyms, params: [handlers]}]`; the first
 * entry matching the customer's message runs.
 */
export const buttons: HandlerFn = (ctx, params) => {
  const list = Array.isArray(params) ? params : [];
  const text = ctx.renderTerm('{{message_text}}');
  for (const [index, item] of list.entries()) {
    if (!isRecord(item) || !matches(ctx, item, text)) continue;
    ctx.record('event', `Answer matched button ${index}`);
    return ctx.runHandlers(parseHandlers(item.params, `buttons[${index}].params`));
  }
  return NEXT;
};

/** `exits` of a widget block: there is no outer bot in the sandbox, so the run ends here. */
export const exits: HandlerFn = (ctx, params) => {
  const value = ctx.render(record(params).value);
  ctx.record('event', `Widget block exit "${value}"`, { detail: { exit: value } });
  return { type: 'end', status: 'finished', reason: `exit ${value}` };
};

function branch(
  ctx: HandlerContext,
  hit: boolean,
  result: unknown,
  name: string,
): Promise<Flow> | Flow {
  ctx.record('event', `${name}: ${hit ? 'true' : 'false'}`);
  return hit ? ctx.runHandlers(parseHandlers(result, `${name}.result`)) : NEXT;
}

function matches(ctx: HandlerContext, item: Record<string, unknown>, text: string): boolean {
  if (typeof item.regex === 'string' && toRegExp(item.regex).test(text)) return true;
  const synonyms: unknown[] = Array.isArray(item.synonyms) ? item.synonyms : [];
  const values = [item.value, ...synonyms];
  return values.some((v) => v !== undefined && compareTerms(text, ctx.render(v), '='));
}
