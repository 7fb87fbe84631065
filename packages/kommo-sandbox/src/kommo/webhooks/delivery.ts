import { randomUUID } from 'node:crypto';
import qs from 'qs';
import { type SandboxClock } from '../../clock.js';
import { sendOutbound } from '../outbound.js';
import { type KommoStore } from '../store.js';
import { type ChatMessage, MessageEvents } from './message-events.js';
import { type Webhook, type WebhookEvent } from './subscriptions.js';

export type DeliveryAttempt = {
  attempt: number;
  /** Sandbox time (ms). */
  at: number;
  /** The destination's status; 0 when it did not answer in time or could not be reached. */
  status: number;
  duration_ms: number;
  error?: string;
};

/** One event on its way to one destination, with every attempt (`GET /_sandbox/webhooks/deliveries`). */
export type Delivery = {
  id: number;
  account_id: number;
  webhook_id: number;
  destination: string;
  event: WebhookEvent;
  message_id: string;
  lead_id: number;
  /** The form body as sent, and read back PHP-style. */
  body: string;
  fields: Record<string, unknown>;
  created_at: number;
  state: 'pending' | 'retrying' | 'delivered' | 'failed' | 'dropped';
  next_attempt_at: number | null;
  attempts: DeliveryAttempt[];
};

export type DeliveryFilter = {
  account_id?: number;
  event?: string;
  destination?: string;
  lead_id?: number;
  state?: string;
};

const MAX_DELIVERIES = 5_000;

/**
 * Sends account webhooks (docs/kommo-contract.md §8.1.3): a form POST per event and destination,
 * 100–299 within `webhooks.timeoutMs` counts as delivered; otherwise retries after the settings'
 * delays on the sandbox clock (the 4th and 5th only after a 499 or 5xx), and a webhook with more
 * than `disableAfterFailures` bad answers within `disableWindowMs` is disabled. Never blocks the
 * chat: `messageWritten` only starts the deliveries.
 */
export class WebhookDispatcher {
  private deliveries: Delivery[] = [];
  private nextId = 1;
  /** Bumped by reset, so retries scheduled before it stop. */
  private generation = 0;
  private failures = new Map<number, number[]>();
  private readonly events = new MessageEvents();

  constructor(
    private readonly clock: SandboxClock,
    private readonly store: KommoStore,
  ) {}

  /** Starts a delivery to every enabled webhook subscribed to the message's events. */
  messageWritten(message: ChatMessage): Delivery[] {
    const account = this.store.getAccount(message.accountId);
    if (!account) return [];
    const hooks = this.store.data(account.id).webhooks;
    const started: Delivery[] = [];
    for (const built of this.events.build(account, message, this.store.settings.webhooks)) {
      for (const hook of hooks.subscribedTo(built.event)) {
        const delivery: Delivery = {
          id: this.nextId++,
          account_id: account.id,
          webhook_id: hook.id,
          destination: hook.destination,
          event: built.event,
          message_id: built.messageId,
          lead_id: message.leadId,
          body: built.body,
          fields: qs.parse(built.body),
          created_at: this.clock.now(),
          state: 'pending',
          next_attempt_at: null,
          attempts: [],
        };
        this.keep(delivery);
        started.push(delivery);
        void this.run(delivery, hook, this.generation);
      }
    }
    return started;
  }

  list(filter: DeliveryFilter = {}): Delivery[] {
    return this.deliveries.filter(
      (d) =>
        (filter.account_id === undefined || d.account_id === filter.account_id) &&
        (filter.event === undefined || d.event === filter.event) &&
        (filter.destination === undefined || d.destination === filter.destination) &&
        (filter.lead_id === undefined || d.lead_id === filter.lead_id) &&
        (filter.state === undefined || d.state === filter.state),
    );
  }

  clear(): void {
    this.deliveries = [];
  }

  /** Forgets deliveries, failure counts and chat ids; pending retries are dropped. */
  reset(): void {
    this.generation += 1;
    this.deliveries = [];
    this.failures.clear();
    this.events.reset();
  }

  private keep(delivery: Delivery): void {
    this.deliveries.push(delivery);
    if (this.deliveries.length > MAX_DELIVERIES) {
      this.deliveries.splice(0, this.deliveries.length - MAX_DELIVERIES);
    }
  }

  private async run(delivery: Delivery, hook: Webhook, generation: number): Promise<void> {
    const requestId = randomUUID();
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.post(delivery, requestId);
      delivery.attempts.push({ attempt, ...result });
      if (result.status >= 100 && result.status < 300) {
        delivery.state = 'delivered';
        delivery.next_attempt_at = null;
        return;
      }
      this.countFailure(hook);
      const delay = this.retryDelay(attempt, result.status);
      if (delay === undefined || hook.disabled) {
        delivery.state = 'failed';
        delivery.next_attempt_at = null;
        return;
      }
      delivery.state = 'retrying';
      delivery.next_attempt_at = this.clock.now() + delay;
      await this.clock.sleep(delay);
      const current = this.store.getAccount(delivery.account_id)
        ? this.store.data(delivery.account_id).webhooks.get(delivery.destination)
        : undefined;
      // Reset, unsubscribed or disabled meanwhile: Kommo has nowhere (or no will) to send it.
      if (generation !== this.generation || current !== hook || hook.disabled) {
        delivery.state = 'dropped';
        delivery.next_attempt_at = null;
        return;
      }
    }
  }

  /** The wait before the next attempt, or undefined when the table has no more (§8.1.3). */
  private retryDelay(attempt: number, status: number): number | undefined {
    const delays = this.store.settings.webhooks.retryDelaysMs;
    if (attempt > delays.length) return undefined;
    // Attempts 2 and 3 follow any failure; 4 and 5 only a 499 or a 5xx.
    if (attempt >= 3 && !(status === 499 || status >= 500)) return undefined;
    return delays[attempt - 1];
  }

  /** Kommo disables a webhook after more than N bad answers in a window, the latest bad too. */
  private countFailure(hook: Webhook): void {
    const { disableAfterFailures, disableWindowMs } = this.store.settings.webhooks;
    const now = this.clock.now();
    const recent = (this.failures.get(hook.id) ?? []).filter((at) => at > now - disableWindowMs);
    recent.push(now);
    this.failures.set(hook.id, recent);
    if (recent.length > disableAfterFailures && !hook.disabled) {
      hook.disabled = true;
      this.store.changed();
    }
  }

  private async post(
    delivery: Delivery,
    requestId: string,
  ): Promise<Omit<DeliveryAttempt, 'attempt'>> {
    const at = this.clock.now();
    const { status, error, duration_ms } = await sendOutbound(
      delivery.destination,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-amocrm-requestid': requestId,
        },
        body: delivery.body,
      },
      this.store.settings.webhooks.timeoutMs,
    );
    this.store.recordRequest({
      direction: 'out',
      method: 'POST',
      path: delivery.destination,
      url: delivery.destination,
      account_id: delivery.account_id,
      status,
      kind: `webhook.${delivery.event}`,
      outcome: null,
      duration_ms,
      body: delivery.fields,
      ...(error ? { error } : {}),
    });
    return { at, status, duration_ms, ...(error ? { error } : {}) };
  }
}
