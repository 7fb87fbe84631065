// One account's webhook subscriptions (docs/kommo-contract.md §8.1.1).

/** The event names `POST /api/v4/webhooks` takes in `settings` (§8.1.2). */
export const WEBHOOK_EVENTS = [
  ...['lead', 'contact', 'company', 'customer'].flatMap((entity) =>
    ['add', 'update', 'delete', 'restore', 'status', 'responsible'].map(
      (action) => `${action}_${entity}`,
    ),
  ),
  'add_task',
  'update_task',
  'delete_task',
  'responsible_task',
  'add_talk',
  'update_talk',
  'note_lead',
  'note_contact',
  'note_company',
  'note_customer',
  'add_chat_template_review',
  'add_message',
  'add_outgoing_message',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const isWebhookEvent = (value: unknown): value is WebhookEvent =>
  typeof value === 'string' && (WEBHOOK_EVENTS as readonly string[]).includes(value);

/** A subscription as `GET /api/v4/webhooks` shows it. */
export type Webhook = {
  id: number;
  destination: string;
  settings: WebhookEvent[];
  sort: number;
  disabled: boolean;
  account_id: number;
  created_by: number;
  created_at: number;
  updated_at: number;
};

/** Keyed by destination: Kommo has one webhook per destination, a second POST updates it. */
export class AccountWebhooks {
  private readonly byDestination = new Map<string, Webhook>();

  constructor(
    private readonly accountId: number,
    private readonly nextId: () => number,
    private readonly seconds: () => number,
  ) {}

  list(destination?: string): Webhook[] {
    return [...this.byDestination.values()]
      .filter((hook) => destination === undefined || hook.destination === destination)
      .sort((a, b) => a.sort - b.sort || a.id - b.id);
  }

  get(destination: string): Webhook | undefined {
    return this.byDestination.get(destination);
  }

  get size(): number {
    return this.byDestination.size;
  }

  /** Creates, or replaces the settings (and sort) of the webhook with this destination. */
  upsert(input: {
    destination: string;
    settings: WebhookEvent[];
    sort?: number;
    userId: number;
  }): Webhook {
    const now = this.seconds();
    const existing = this.byDestination.get(input.destination);
    if (existing) {
      existing.settings = [...new Set(input.settings)];
      if (input.sort !== undefined) existing.sort = input.sort;
      existing.updated_at = now;
      return existing;
    }
    const hook: Webhook = {
      id: this.nextId(),
      destination: input.destination,
      settings: [...new Set(input.settings)],
      sort: input.sort ?? 1,
      disabled: false,
      account_id: this.accountId,
      created_by: input.userId,
      created_at: now,
      updated_at: now,
    };
    this.byDestination.set(hook.destination, hook);
    return hook;
  }

  remove(destination: string): boolean {
    return this.byDestination.delete(destination);
  }

  /** The enabled webhooks subscribed to `event`. */
  subscribedTo(event: WebhookEvent): Webhook[] {
    return this.list().filter((hook) => !hook.disabled && hook.settings.includes(event));
  }

  restore(hooks: Webhook[]): void {
    for (const hook of hooks) this.byDestination.set(hook.destination, hook);
  }
}
