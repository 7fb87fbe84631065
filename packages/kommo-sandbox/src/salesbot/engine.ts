import { type BlockRef, blockOf, type Handler } from './bot-schema.js';
import { type BotRegistry } from './bots-store.js';
import { type Chat, type ChatStore, type TranscriptEntry } from './chats.js';
import { StepError } from './conditions.js';
import { type ContinueRegistry } from './continue.js';
import {
  ACTIVE_STATUSES,
  type Flow,
  type HandlerContext,
  NEXT,
  type Run,
  RunCancelled,
} from './engine-types.js';
import { dispatchHandler } from './handlers/index.js';
import { waitForAnswer } from './handlers/waits.js';
import { type Clock, type CrmDirectory, type HttpPoster, type SalesbotSettings } from './ports.js';
import { createRunContext } from './run-context.js';
import { describeProblem, strictProblems } from './strict.js';

export type EngineDeps = {
  clock: Clock;
  directory: CrmDirectory;
  http: HttpPoster;
  settings: SalesbotSettings;
  bots: BotRegistry;
  chats: ChatStore;
  continues: ContinueRegistry;
  publicUrl: () => string;
};

/** Why a bot could not start (unknown bot, account or lead). */
export class EngineError extends Error {}

/**
 * Runs bot scripts on leads: one run per lead at a time, started by a customer message (the
 * account's active bot) or by the bots API. Pauses and waits use the sandbox clock.
 */
export class SalesbotEngine {
  private nextRunId = 1;

  constructor(private readonly deps: EngineDeps) {}

  /** Starts a bot on a lead; a bot still running there is stopped first (Kommo does the same). */
  start(accountId: number, leadId: number, botId: number, trigger: string): Run {
    const { bots, directory, chats, settings, clock } = this.deps;
    const bot = bots.get(accountId, botId);
    if (!bot) throw new EngineError(`bot ${botId} not found in account ${accountId}`);
    const account = directory.account(accountId);
    const crm = directory.crm(accountId);
    if (!account || !crm) throw new EngineError(`account ${accountId} not found`);
    if (!crm.readLead(leadId)) throw new EngineError(`lead ${leadId} not found`);
    const chat = chats.get(accountId, leadId, settings.defaultOrigin);
    if (chat.run && ACTIVE_STATUSES.has(chat.run.status)) {
      this.endRun(chat, chat.run, {
        type: 'end',
        status: 'stopped',
        reason: `replaced by bot ${botId}`,
      });
    }
    let cancel = (): void => undefined;
    const cancelSignal = new Promise<void>((resolve) => (cancel = resolve));
    const run: Run = {
      id: this.nextRunId++,
      accountId,
      leadId,
      botId,
      botName: bot.name,
      script: bot.script,
      encoding: bot.widgetRequestEncoding,
      integrationClientId: bot.integrationClientId,
      status: 'running',
      position: undefined,
      blocksEntered: 0,
      json: {},
      startedAt: clock.now(),
      endedAt: undefined,
      endReason: undefined,
      waiting: undefined,
      inErrorBranch: false,
      cancelled: false,
      cancelSignal,
      cancel,
    };
    chat.run = run;
    chat.runCount += 1;
    const ctx = createRunContext(
      { ...this.deps, runHandlers: (c, list) => this.runHandlers(c, list) },
      chat,
      run,
      account,
      crm,
    );
    ctx.record('event', `Bot "${bot.name}" (#${botId}) started: ${trigger}`);
    // A bot uploaded before strict mode was switched on: it would not have imported into Kommo.
    const refused = settings.strict ? strictProblems(bot.script, bot.handAddedSteps) : [];
    if (refused.length > 0) {
      for (const problem of refused) {
        ctx.record('error', `Strict mode: ${describeProblem(problem)}`);
      }
      const head = refused[0];
      const reason = `strict mode refuses ${head ? describeProblem(head) : 'the bot'}`;
      this.endRun(chat, run, { type: 'end', status: 'failed', reason });
      return run;
    }
    const first = Math.min(...bot.script.steps.keys());
    void this.drive(chat, run, ctx, {
      kind: 'question',
      step: bot.script.steps.has(0) ? 0 : first,
    });
    return run;
  }

  /** Stops the lead's running bot (only `botId` if given); false if nothing was running. */
  stop(accountId: number, leadId: number, reason: string, botId?: number): boolean {
    const chat = this.deps.chats.find(accountId, leadId);
    const run = chat?.run;
    if (!chat || !run || !ACTIVE_STATUSES.has(run.status)) return false;
    if (botId !== undefined && run.botId !== botId) return false;
    this.endRun(chat, run, { type: 'end', status: 'stopped', reason });
    return true;
  }

  /** Stops every running bot (sandbox reset). */
  stopAll(reason: string): void {
    for (const chat of this.deps.chats.all()) {
      if (chat.run && ACTIVE_STATUSES.has(chat.run.status)) {
        this.endRun(chat, chat.run, { type: 'end', status: 'stopped', reason });
      }
    }
  }

  /**
   * A message from the customer: resumes a bot waiting for an answer, is only recorded while a
   * bot is busy (paused, waiting for continue), or starts the account's active bot.
   */
  customerMessage(
    accountId: number,
    leadId: number,
    text: string,
    from: { origin?: string; contactName?: string } = {},
  ): Run | undefined {
    const { chats, clock, settings, bots } = this.deps;
    const chat = chats.get(accountId, leadId, from.origin ?? settings.defaultOrigin);
    if (from.origin) chat.origin = from.origin;
    if (from.contactName) chat.contactName = from.contactName;
    chat.messageText = text;
    chats.append(chat, { at: clock.now(), kind: 'customer', text });
    if (chat.run && ACTIVE_STATUSES.has(chat.run.status)) {
      chats.deliver(chat, text);
      return chat.run;
    }
    const bot = bots.activeBot(accountId);
    return bot ? this.start(accountId, leadId, bot.id, 'incoming message') : undefined;
  }

  /**
   * A message from a user of the account in the lead's chat: recorded (the webhooks see it). It is
   * not the customer's answer, so a waiting bot stays waiting; with `stopOnTeamMessage` the lead's
   * running bot is stopped (`stopped`).
   */
  teamMessage(
    accountId: number,
    leadId: number,
    text: string,
    user: { id: number; name: string },
  ): { entry: TranscriptEntry; stopped: boolean } {
    const { chats, clock, settings } = this.deps;
    const chat = chats.get(accountId, leadId, settings.defaultOrigin);
    const entry = chats.append(chat, {
      at: clock.now(),
      kind: 'team',
      text,
      detail: { user_id: user.id, user_name: user.name },
    });
    if (!settings.stopOnTeamMessage) return { entry, stopped: false };
    const reason = `${user.name} (#${user.id}) wrote in the chat`;
    return { entry, stopped: this.stop(accountId, leadId, reason) };
  }

  private async drive(chat: Chat, run: Run, ctx: HandlerContext, start: BlockRef): Promise<void> {
    let flow: Flow = { type: 'goto', target: start };
    try {
      while (flow.type === 'goto') {
        const ref: BlockRef = flow.target;
        run.blocksEntered += 1;
        if (run.blocksEntered > this.deps.settings.stepBudget) {
          ctx.record(
            'error',
            `Step budget of ${this.deps.settings.stepBudget} blocks used up: a loop?`,
          );
          flow = { type: 'end', status: 'failed', reason: 'step budget exhausted' };
          break;
        }
        const block = blockOf(run.script, ref);
        run.position = ref;
        if (!block && ref.kind === 'finish') {
          // Editor exports use `goto finish` of any step number just to end the bot.
          flow = { type: 'end', status: 'finished', reason: 'goto finish' };
          break;
        }
        if (!block) {
          flow = await this.fail(ctx, 'goto', `there is no ${ref.kind} block in step ${ref.step}`);
          continue;
        }
        flow = await this.runHandlers(ctx, block);
        if (flow.type === 'next') flow = await this.fallThrough(ctx, ref);
      }
    } catch (error) {
      if (error instanceof RunCancelled || run.cancelled) return;
      ctx.record('error', `Engine error: ${(error as Error).message}`);
      flow = { type: 'end', status: 'failed', reason: 'engine error' };
    }
    if (flow.type !== 'end') return;
    this.endRun(chat, run, flow);
    if (flow.startBot !== undefined) {
      try {
        this.start(run.accountId, run.leadId, flow.startBot, `started by bot ${run.botId}`);
      } catch (error) {
        ctx.record('error', `Could not start bot ${flow.startBot}: ${(error as Error).message}`);
      }
    }
  }

  /** A block ran to its end: wait for the answer block, run the finish block, or end. */
  private async fallThrough(ctx: HandlerContext, ref: BlockRef): Promise<Flow> {
    const step = ctx.run.script.steps.get(ref.step);
    if (ref.kind === 'question' && step && step.answer.length > 0) {
      const timeout = this.deps.settings.waitAnswerTimeoutMs;
      const answered = await waitForAnswer(ctx, timeout);
      if (answered) return { type: 'goto', target: { kind: 'answer', step: ref.step } };
      return { type: 'end', status: 'expired', reason: `no answer within ${timeout / 1000} s` };
    }
    if (ref.kind !== 'finish' && step && step.finish.length > 0) {
      return { type: 'goto', target: { kind: 'finish', step: ref.step } };
    }
    return { type: 'end', status: 'finished', reason: 'the bot reached the end' };
  }

  private async runHandlers(ctx: HandlerContext, list: Handler[]): Promise<Flow> {
    for (const handler of list) {
      if (ctx.run.cancelled) throw new RunCancelled();
      let flow: Flow;
      try {
        flow = await dispatchHandler(ctx, handler);
      } catch (error) {
        if (error instanceof RunCancelled) throw error;
        const message = error instanceof StepError ? error.message : `internal: ${String(error)}`;
        flow = await this.fail(ctx, handler.handler, message);
      }
      if (flow.type !== 'next') return flow;
    }
    return NEXT;
  }

  /** Records a failed step and follows the script's `error` handlers, if any. */
  private async fail(ctx: HandlerContext, handler: string, message: string): Promise<Flow> {
    const { run } = ctx;
    ctx.record('error', `${handler}: ${message}`, { detail: { handler, position: run.position } });
    const failed: Flow = { type: 'end', status: 'failed', reason: `${handler}: ${message}` };
    if (run.script.error.length === 0 || run.inErrorBranch) return failed;
    run.inErrorBranch = true;
    ctx.record('event', 'Following the bot\'s "error" handlers');
    try {
      const flow = await this.runHandlers(ctx, run.script.error);
      return flow.type === 'next' ? failed : flow;
    } finally {
      run.inErrorBranch = false;
    }
  }

  private endRun(chat: Chat, run: Run, flow: Extract<Flow, { type: 'end' }>): void {
    if (!ACTIVE_STATUSES.has(run.status)) return;
    if (run.waiting?.continueId) this.deps.continues.close(run.waiting.continueId);
    run.status = flow.status;
    run.endReason = flow.reason;
    run.endedAt = this.deps.clock.now();
    run.waiting = undefined;
    run.cancelled = true;
    run.cancel();
    chat.messageListeners.clear();
    this.deps.chats.append(chat, {
      at: this.deps.clock.now(),
      kind: flow.status === 'failed' ? 'error' : 'event',
      text: `Bot "${run.botName}" (#${run.botId}) ${flow.status}: ${flow.reason}`,
      runId: run.id,
      botId: run.botId,
    });
  }
}
