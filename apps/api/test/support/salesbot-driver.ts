import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type KommoStack } from './kommo-stack';
import { type SandboxAiScript } from './sandbox';
import { type InstalledAccount } from './webhook-stack';

/** One line of a lead's salesbot transcript (`at` is sandbox time in ms). */
export type ChatEntry = {
  seq: number;
  at: number;
  kind: string;
  text: string;
  detail?: Record<string, unknown>;
};

/** `GET /_sandbox/salesbot/leads/:lead` (the parts the template tests read). */
export type ChatView = {
  lead_id: number;
  run: {
    id: number;
    status: string;
    position: { kind: string; step: number } | null;
    waiting: { kind: string; until: number } | null;
    end_reason: string | null;
    json: Record<string, unknown>;
  } | null;
  runs: number;
  lead: {
    tags: string[];
    fields: { id: number; name: string; value: string }[];
    notes: { text: string }[];
  } | null;
  entries: ChatEntry[];
};

const ARTIFACTS = path.resolve(__dirname, '../../../../e2e/artifacts/templates');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Plays the customer against the sandbox's salesbot engine and moves its clock. The clock runs at
 * real speed and jumps over a bot's pause or message window only once our backend has nothing
 * pending, so sandbox time measures what the bot's own waits cost, not how busy this machine is.
 */
export class SalesbotDriver {
  constructor(
    private readonly stack: KommoStack,
    private readonly shop: InstalledAccount,
  ) {}

  chat(leadId: number): Promise<ChatView> {
    return this.stack.sandbox.call(
      'GET',
      `/_sandbox/salesbot/leads/${leadId}?account=${this.shop.account.id}`,
    );
  }

  async newLead(name: string): Promise<number> {
    return (await this.stack.sandbox.createLead(this.shop.account.id, { name })).id;
  }

  async say(leadId: number, text: string): Promise<void> {
    await this.stack.sandbox.call('POST', '/_sandbox/salesbot/messages', {
      account: this.shop.account.subdomain,
      lead_id: leadId,
      text,
    });
  }

  async now(): Promise<number> {
    return (await this.stack.sandbox.call<{ now: number }>('GET', '/_sandbox/clock')).now;
  }

  async advance(ms: number): Promise<void> {
    await this.stack.sandbox.advanceClock(ms);
  }

  /** True when no request of this installation waits for the worker or for Kommo. */
  async backendIdle(): Promise<boolean> {
    const rows = await this.stack.db.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM ai_requests
        WHERE installation_id = $1 AND status IN ('queued', 'processing', 'answered')`,
      [this.shop.installationId],
    );
    return Number(rows[0]?.n ?? 0) === 0;
  }

  /** Waits until the bot sits in `step` waiting for a message (a different wait than `after`). */
  async waitingAt(leadId: number, step: number, after?: number): Promise<number> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const chat = await this.chat(leadId);
      const run = chat.run;
      if (
        run?.status === 'waiting_answer' &&
        run.position?.step === step &&
        run.waiting &&
        run.waiting.until !== after
      ) {
        return run.waiting.until;
      }
      if (Date.now() > deadline) {
        throw new Error(`the bot is not waiting at step ${step}: ${JSON.stringify(run)}`);
      }
      await sleep(20);
    }
  }

  /**
   * Runs the conversation until `accept` holds: whenever the bot pauses or waits for a message
   * for at most `maxJumpMs` and the backend is idle, the clock jumps to the end of that wait.
   */
  async until(
    leadId: number,
    accept: (chat: ChatView) => boolean,
    options: { timeoutMs?: number; maxJumpMs?: number } = {},
  ): Promise<ChatView> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const maxJump = options.maxJumpMs ?? 60_000;
    let jumpedOver: number | undefined;
    for (;;) {
      const chat = await this.chat(leadId);
      if (accept(chat)) return chat;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out; run ${JSON.stringify(chat.run)}; last entries:\n${chat.entries
            .slice(-8)
            .map((e) => `${e.kind}: ${e.text}`)
            .join('\n')}`,
        );
      }
      const run = chat.run;
      const waiting = run?.waiting;
      if (
        waiting &&
        (run.status === 'paused' || run.status === 'waiting_answer') &&
        waiting.until !== jumpedOver
      ) {
        const remaining = waiting.until - (await this.now());
        if (remaining <= maxJump && (await this.backendIdle())) {
          await this.advance(Math.max(0, remaining) + 5);
          jumpedOver = waiting.until;
        }
      }
      await sleep(20);
    }
  }

  /** Keeps a scenario's transcript (and what else explains it) under e2e/artifacts/templates. */
  async saveArtifact(scenario: string, leadId: number, extra: Record<string, unknown> = {}) {
    const chat = await this.chat(leadId);
    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${scenario}.json`);
    await writeFile(
      file,
      `${JSON.stringify({ scenario, account: this.shop.account.subdomain, ...extra, chat }, null, 2)}\n`,
    );
    return file;
  }
}

/** What the customer saw: the bot's messages in order. */
export const botMessages = (chat: ChatView): string[] =>
  chat.entries.filter((e) => e.kind === 'bot').map((e) => e.text);

export const entriesOf = (chat: ChatView, kind: string): ChatEntry[] =>
  chat.entries.filter((e) => e.kind === kind);

/** Sandbox milliseconds from the customer's last message to the bot's first message after it. */
export function answerDelayMs(chat: ChatView): number {
  const customer = entriesOf(chat, 'customer').at(-1);
  const answer = chat.entries.find((e) => e.kind === 'bot' && customer && e.seq > customer.seq);
  if (!customer || !answer) throw new Error('no customer message followed by an answer');
  return answer.at - customer.at;
}

/**
 * The fake ChatGPT for the templates' intent prompt. The prompt ends with "Customer message:" and
 * the message, so the rules look only after it (the instructions name every intent).
 */
export const INTENT_SCRIPT: SandboxAiScript = {
  answer: {
    mode: 'intent',
    rules: [
      { pattern: 'Customer message:[\\s\\S]*\\b(person|human)\\b', answer: '#Attendant' },
      { pattern: 'Customer message:\\s*(hi|hello)\\s*$', answer: '#Greeting' },
    ],
  },
  failures: [],
};
