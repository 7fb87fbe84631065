import { BotScriptError, type BotScript, parseBotScript } from './bot-schema.js';
import { describeProblem, type StrictProblem, strictProblems } from './strict.js';

export type StoredBot = {
  id: number;
  accountId: number;
  name: string;
  active: boolean;
  /** What the bots API reports (`regular`, `greeting`, `marketing`, `nps`). */
  typeFunctionality: string;
  /** The JSON as uploaded (returned by the control API, never by Kommo's API). */
  source: unknown;
  script: BotScript;
  /** Overrides the global widget_request body encoding for this bot. */
  widgetRequestEncoding: 'json' | 'form' | undefined;
  /** Client id of the integration that signs this bot's widget_request tokens. */
  integrationClientId: string | undefined;
  /** Steps a person completes by hand in the designer (UI-only steps strict mode takes there). */
  handAddedSteps: number[];
  createdAt: number;
  updatedAt: number;
};

export type BotInput = {
  name: string;
  active: boolean;
  script: unknown;
  typeFunctionality?: string;
  widgetRequestEncoding?: 'json' | 'form';
  integrationClientId?: string;
  handAddedSteps?: number[];
};

/** Strict mode refused the script: every problem, each naming its step and handler. */
export class StrictScriptError extends BotScriptError {
  constructor(readonly problems: StrictProblem[]) {
    super(
      `strict mode (documented handlers only) refuses this bot: ${problems.map(describeProblem).join('; ')}`,
    );
  }
}

function checked(script: BotScript, handAdded: number[], strict: boolean): BotScript {
  if (!strict) return script;
  const problems = strictProblems(script, handAdded);
  if (problems.length > 0) throw new StrictScriptError(problems);
  return script;
}

/** Uploaded bots, per account. Kommo has no public API to create bots, so only `/_sandbox` writes. */
export class BotRegistry {
  private bots = new Map<number, StoredBot>();
  // Ids in the range real Kommo bots have, so nobody mistakes them for lead ids.
  private nextId = 10_001;

  /**
   * Parses and stores a bot; throws `BotScriptError` when the JSON is not a bot script, and
   * `StrictScriptError` when `strict` and it uses anything but documented handlers.
   */
  add(accountId: number, input: BotInput, now: number, strict = false): StoredBot {
    const handAddedSteps = input.handAddedSteps ?? [];
    const script = checked(parseBotScript(input.script), handAddedSteps, strict);
    const bot: StoredBot = {
      id: this.nextId++,
      accountId,
      name: input.name,
      active: input.active,
      typeFunctionality: input.typeFunctionality ?? 'regular',
      source: input.script,
      script,
      widgetRequestEncoding: input.widgetRequestEncoding,
      integrationClientId: input.integrationClientId,
      handAddedSteps,
      createdAt: now,
      updatedAt: now,
    };
    this.bots.set(bot.id, bot);
    return bot;
  }

  update(bot: StoredBot, patch: Partial<BotInput>, now: number, strict = false): StoredBot {
    if (patch.script !== undefined || patch.handAddedSteps !== undefined) {
      const handAdded = patch.handAddedSteps ?? bot.handAddedSteps;
      const script = patch.script === undefined ? bot.script : parseBotScript(patch.script);
      bot.script = checked(script, handAdded, strict);
      bot.handAddedSteps = handAdded;
      if (patch.script !== undefined) bot.source = patch.script;
    }
    if (patch.name !== undefined) bot.name = patch.name;
    if (patch.active !== undefined) bot.active = patch.active;
    if (patch.typeFunctionality !== undefined) bot.typeFunctionality = patch.typeFunctionality;
    if (patch.widgetRequestEncoding !== undefined) {
      bot.widgetRequestEncoding = patch.widgetRequestEncoding;
    }
    if (patch.integrationClientId !== undefined) {
      bot.integrationClientId = patch.integrationClientId;
    }
    bot.updatedAt = now;
    return bot;
  }

  clear(): void {
    this.bots.clear();
  }

  remove(accountId: number, id: number): boolean {
    return this.get(accountId, id) ? this.bots.delete(id) : false;
  }

  get(accountId: number, id: number): StoredBot | undefined {
    const bot = this.bots.get(id);
    return bot && bot.accountId === accountId ? bot : undefined;
  }

  byId(id: number): StoredBot | undefined {
    return this.bots.get(id);
  }

  list(accountId: number): StoredBot[] {
    return [...this.bots.values()].filter((bot) => bot.accountId === accountId);
  }

  /** The bot an incoming chat message starts: the newest active one. */
  activeBot(accountId: number): StoredBot | undefined {
    return this.list(accountId)
      .filter((bot) => bot.active)
      .at(-1);
  }
}
