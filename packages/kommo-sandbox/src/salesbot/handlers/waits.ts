import { type BlockRef, isRecord, parseBlockRef } from '../bot-schema.js';
import { StepError } from '../conditions.js';
import { type Flow, type HandlerContext, type HandlerFn, NEXT } from '../engine-types.js';
import { record } from './messages.js';

// The Kommo UI allows pauses up to 8760 h + 60 min + 60 s.
const MAX_PAUSE_MS = (8760 * 3600 + 3600 + 60) * 1000;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

/**
 * `pause` (alias `delay`): Kommo does not publish the JSON of its timer step, so the sandbox
 * accepts `{seconds}`, `{minutes}`, `{hours}`, `{ms}` or `{value, unit}`; the next handler runs
 * once that much sandbox time has passed.
 */
export const pause: HandlerFn = async (ctx, params) => {
  const ms = durationMs(record(params));
  if (ms === undefined) {
    throw new StepError('pause needs seconds, minutes, hours, ms or value+unit');
  }
  ctx.setWaiting({ kind: 'pause', until: ctx.clock.now() + ms });
  await ctx.guard(ctx.clock.sleep(ms));
  ctx.setWaiting(undefined);
  return NEXT;
};

/**
 * `wait_answer`: `{type, step}` runs that block when the customer writes. Sandbox extension:
 * `timeout` (seconds, default from the settings) and `on_timeout: {type, step}`; without
 * `on_timeout` the run ends as expired.
 */
export const waitAnswer: HandlerFn = async (ctx, params) => {
  const p = record(params);
  const target = parseBlockRef(p);
  const timeoutMs =
    p.timeout === undefined ? ctx.settings.waitAnswerTimeoutMs : Number(p.timeout) * 1000;
  if (!(timeoutMs > 0)) {
    throw new StepError('wait_answer timeout must be a positive number of seconds');
  }
  if (await waitForAnswer(ctx, timeoutMs)) return target ? { type: 'goto', target } : NEXT;
  return onTimeout(ctx, parseBlockRef(p.on_timeout), timeoutMs);
};

/**
 * `waits` (Visual Builder pause): `{logic: "or", conditions: [{event: {source, action}, action:
 * {type, step}}]}`. `source: "message"` fires on the customer's next message; the sandbox adds
 * `source: "timer"` with `seconds` (or `value`), the first event that fires wins.
 */
export const waits: HandlerFn = async (ctx, params) => {
  const list = Array.isArray(record(params).conditions)
    ? (record(params).conditions as unknown[])
    : [];
  let onMessage: BlockRef | undefined;
  let timer: { ms: number; target: BlockRef } | undefined;
  for (const item of list) {
    if (!isRecord(item) || !isRecord(item.event)) continue;
    const target = parseBlockRef(item.action);
    if (!target) throw new StepError('waits condition needs action {type, step}');
    if (item.event.source === 'message') onMessage = target;
    if (item.event.source === 'timer') {
      const ms = durationMs({ ...item.event, unit: item.event.unit ?? 'seconds' });
      if (ms === undefined) throw new StepError('waits timer needs seconds');
      if (!timer || ms < timer.ms) timer = { ms, target };
    }
  }
  if (!onMessage && !timer) throw new StepError('waits has no message or timer condition');
  const timeoutMs = timer?.ms ?? ctx.settings.waitAnswerTimeoutMs;
  if (onMessage) {
    if (await waitForAnswer(ctx, timeoutMs)) return { type: 'goto', target: onMessage };
  } else {
    ctx.setWaiting({ kind: 'pause', until: ctx.clock.now() + timeoutMs });
    await ctx.guard(ctx.clock.sleep(timeoutMs));
    ctx.setWaiting(undefined);
  }
  return onTimeout(ctx, timer?.target, timeoutMs);
};

/** Waits for the next customer message; false when `timeoutMs` of sandbox time passed first. */
export async function waitForAnswer(ctx: HandlerContext, timeoutMs: number): Promise<boolean> {
  const message = ctx.nextMessage();
  ctx.setWaiting({ kind: 'answer', until: ctx.clock.now() + timeoutMs });
  const answered = await ctx.guard(
    Promise.race([message.promise.then(() => true), ctx.clock.sleep(timeoutMs).then(() => false)]),
  );
  message.cancel();
  ctx.setWaiting(undefined);
  return answered;
}

function onTimeout(ctx: HandlerContext, target: BlockRef | undefined, timeoutMs: number): Flow {
  ctx.record('event', `No answer within ${timeoutMs / 1000} s`);
  if (target) return { type: 'goto', target };
  return { type: 'end', status: 'expired', reason: `no answer within ${timeoutMs / 1000} s` };
}

function durationMs(p: Record<string, unknown>): number | undefined {
  let ms: number | undefined;
  for (const key of ['ms', 'seconds', 'minutes', 'hours'] as const) {
    if (p[key] !== undefined) ms = (ms ?? 0) + Number(p[key]) * (UNIT_MS[key] ?? 1);
  }
  const value = p.value ?? p.time ?? p.duration;
  if (ms === undefined && value !== undefined) {
    const unit =
      typeof p.unit === 'string' ? p.unit : typeof p.type === 'string' ? p.type : 'seconds';
    const factor = UNIT_MS[unit.toLowerCase()];
    if (factor === undefined) return undefined;
    ms = Number(value) * factor;
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > MAX_PAUSE_MS) return undefined;
  return ms;
}
