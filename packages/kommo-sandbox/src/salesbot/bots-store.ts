import { type BotScript, parseBotScript } from './bot-schema.js';

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
};

/** Uploaded bots, per account. Kommo has no public API to create bots, so only `/_sandbox` writes. */
export class BotRegistry {
  private bots = new Map<number, StoredBot>();
  // Ids in the range real Kommo bots have, so nobody mistakes them for lead ids.
  private nextId = 10_001;

  /** Parses and stores a bot; throws `BotScriptError` when the JSON is not a bot script. */
  add(accountId: number, input: BotInput, now: number): StoredBot {
    const bot: StoredBot = {
      id: this.nextId++,
      accountId,
      name: input.name,
      active: input.active,
      typeFunctionality: input.typeFunctionality ?? 'regular',
      source: input.script,
      script: parseBotScript(input.script),
      widgetRequestEncoding: input.widgetRequestEncoding,
      integrationClientId: input.integrationClientId,
      createdAt: now,
      updatedAt: now,
    };
    this.bots.set(bot.id, bot);
    return bot;
  }

  update(bot: StoredBot, patch: Partial<BotInput>, now: number): StoredBot {
    if (patch.script !== undefined) {
      bot.script = parseBotScript(patch.script);
      bot.source = patch.script;
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
