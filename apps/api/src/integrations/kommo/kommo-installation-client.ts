import { type z } from 'zod';
import { KommoApiError } from './kommo-errors';
import { collectPages } from './kommo-paging';
import {
  type KommoBotTask,
  type KommoContinueBody,
  type KommoContinueTarget,
  type KommoCustomFieldInput,
  type KommoLeadPatch,
  type KommoNoteInput,
} from './kommo-requests';
import {
  accountSchema,
  botSchema,
  customFieldSchema,
  halList,
  leadSchema,
  leadUpdateSchema,
  noteSchema,
  tagSchema,
  type KommoAccount,
  type KommoBot,
  type KommoCustomField,
  type KommoLead,
  type KommoLeadUpdate,
  type KommoNote,
  type KommoTag,
  type KommoUser,
  userSchema,
  type KommoWebhook,
  webhookSchema,
} from './kommo-schemas';
import { botRunBody, continuePath } from './kommo-salesbot';
import { type KommoTransport } from './kommo-transport';

// Kommo accepts 250 entities per write but recommends ≤50 (docs/kommo-contract.md §4.3); bots ≤100.
const WRITE_BATCH = 50;
const BOT_BATCH = 100;

const leadList = halList('leads', leadSchema);
const leadUpdates = halList('leads', leadUpdateSchema);
const fieldList = halList('custom_fields', customFieldSchema);
const tagList = halList('tags', tagSchema);
const noteList = halList('notes', noteSchema);
const botList = halList('bots', botSchema);
const webhookList = halList('webhooks', webhookSchema);

/** Typed Kommo API v4 calls for one installation; get one from KommoClientFactory. */
export class KommoClient {
  constructor(
    private readonly transport: KommoTransport,
    /** Installations whose account has no v4 bots run endpoint (shared by the factory). */
    private readonly legacyBotRun: Set<string>,
  ) {}

  /** `GET /api/v4/account?with=datetime_settings`. */
  async getAccount(): Promise<KommoAccount> {
    const query = new URLSearchParams({ with: 'datetime_settings' });
    const account = await this.transport.send({
      method: 'GET',
      path: '/api/v4/account',
      query,
      schema: accountSchema,
    });
    return this.present(account, 'GET /api/v4/account');
  }

  /** A user with its rights, or undefined when there is none (204). Admin tokens only (403). */
  getUser(id: number): Promise<KommoUser | undefined> {
    return this.transport.send({ method: 'GET', path: `/api/v4/users/${id}`, schema: userSchema });
  }

  /** The lead, or undefined when Kommo has none with this id (it answers 204). */
  getLead(id: number, options: { with?: string[] } = {}): Promise<KommoLead | undefined> {
    const query = options.with?.length
      ? new URLSearchParams({ with: options.with.join(',') })
      : undefined;
    return this.transport.send({
      method: 'GET',
      path: `/api/v4/leads/${id}`,
      ...(query ? { query } : {}),
      schema: leadSchema,
    });
  }

  /** Every lead matching the filter (all pages). */
  listLeads(
    filter: { ids?: number[]; query?: string; with?: string[] } = {},
  ): Promise<KommoLead[]> {
    const query = new URLSearchParams();
    for (const id of filter.ids ?? []) query.append('filter[id][]', String(id));
    if (filter.query) query.set('query', filter.query);
    if (filter.with?.length) query.set('with', filter.with.join(','));
    return collectPages(this.transport, '/api/v4/leads', leadList, query);
  }

  async patchLead(id: number, patch: KommoLeadPatch): Promise<KommoLeadUpdate> {
    const path = `/api/v4/leads/${id}`;
    const result = await this.transport.send({
      method: 'PATCH',
      path,
      body: patch,
      schema: leadUpdateSchema,
    });
    return this.present(result, `PATCH ${path}`);
  }

  /** Batches of 50; Kommo applies each batch all or nothing. */
  patchLeads(leads: (KommoLeadPatch & { id: number })[]): Promise<KommoLeadUpdate[]> {
    return this.writeAll('PATCH', '/api/v4/leads', leads, leadUpdates);
  }

  listLeadCustomFields(): Promise<KommoCustomField[]> {
    return collectPages(this.transport, '/api/v4/leads/custom_fields', fieldList);
  }

  /** Admin-only in Kommo; answers the created fields in request order. */
  createLeadCustomFields(fields: KommoCustomFieldInput[]): Promise<KommoCustomField[]> {
    return this.writeAll('POST', '/api/v4/leads/custom_fields', fields, fieldList);
  }

  listLeadTags(filter: { name?: string; query?: string } = {}): Promise<KommoTag[]> {
    const query = new URLSearchParams();
    if (filter.name) query.set('filter[name]', filter.name);
    if (filter.query) query.set('query', filter.query);
    return collectPages(this.transport, '/api/v4/leads/tags', tagList, query);
  }

  /** Creates tags (an existing name gives back the existing tag). */
  addLeadTags(tags: { name: string; color?: string }[]): Promise<KommoTag[]> {
    return this.writeAll('POST', '/api/v4/leads/tags', tags, tagList);
  }

  addLeadNotes(notes: KommoNoteInput[]): Promise<KommoNote[]> {
    return this.writeAll('POST', '/api/v4/leads/notes', notes, noteList);
  }

  listBots(): Promise<KommoBot[]> {
    return collectPages(this.transport, '/api/v4/bots', botList);
  }

  /**
   * Starts salesbots on entities: `POST /api/v4/bots/run`, or the legacy `POST /api/v2/salesbot/run`
   * where the account answers 404 to v4 (docs/kommo-contract.md §4.9). Returns the API that ran
   * them.
   */
  async runBots(tasks: KommoBotTask[]): Promise<'v4' | 'v2'> {
    const id = this.transport.target.installationId;
    for (let start = 0; start < tasks.length; start += BOT_BATCH) {
      const batch = tasks.slice(start, start + BOT_BATCH);
      if (!this.legacyBotRun.has(id)) {
        try {
          await this.transport.send({
            method: 'POST',
            path: '/api/v4/bots/run',
            body: botRunBody(batch, 'v4'),
          });
          continue;
        } catch (error) {
          if (!(error instanceof KommoApiError) || error.kind !== 'not_found') throw error;
          this.legacyBotRun.add(id);
        }
      }
      await this.transport.send({
        method: 'POST',
        path: '/api/v2/salesbot/run',
        body: botRunBody(batch, 'v2'),
      });
    }
    return this.legacyBotRun.has(id) ? 'v2' : 'v4';
  }

  /**
   * Lets a bot waiting in widget_request go on (docs/kommo-contract.md §5.2; admin token). The
   * `return_url` is only read for its bot and continue ids: the call goes to our own base URL.
   */
  async continueSalesbot(target: KommoContinueTarget, body: KommoContinueBody): Promise<void> {
    await this.transport.send({
      method: 'POST',
      path: continuePath(target),
      body: { data: body.data ?? {}, execute_handlers: body.execute_handlers },
    });
  }

  /**
   * Subscribes `destination` to `events` (admin only). The same destination again replaces its
   * list (docs/kommo-contract.md §8.1.1), so a reinstall only updates it.
   */
  async subscribeWebhook(destination: string, events: readonly string[]): Promise<KommoWebhook> {
    const created = await this.transport.send({
      method: 'POST',
      path: '/api/v4/webhooks',
      body: { destination, settings: events },
      schema: webhookSchema,
    });
    return this.present(created, 'POST /api/v4/webhooks');
  }

  /** The account's webhook for exactly this destination, if any (`filter[destination]`). */
  async findWebhook(destination: string): Promise<KommoWebhook | undefined> {
    const query = new URLSearchParams({ 'filter[destination]': destination });
    const page = await this.transport.send({
      method: 'GET',
      path: '/api/v4/webhooks',
      query,
      schema: webhookList,
    });
    return page?.items.find((hook) => hook.destination === destination);
  }

  /** Removes the destination from every event; false when Kommo had none (404). */
  async unsubscribeWebhook(destination: string): Promise<boolean> {
    try {
      await this.transport.send({
        method: 'DELETE',
        path: '/api/v4/webhooks',
        body: { destination },
      });
      return true;
    } catch (error) {
      if (error instanceof KommoApiError && error.kind === 'not_found') return false;
      throw error;
    }
  }

  private async writeAll<I, T>(
    method: 'POST' | 'PATCH',
    path: string,
    items: I[],
    schema: z.ZodType<{ items: T[] }>,
  ): Promise<T[]> {
    const results: T[] = [];
    for (let start = 0; start < items.length; start += WRITE_BATCH) {
      const body = items.slice(start, start + WRITE_BATCH);
      const page = await this.transport.send({ method, path, body, schema });
      results.push(...this.present(page, `${method} ${path}`).items);
    }
    return results;
  }

  private present<T>(value: T | undefined, what: string): T {
    if (value !== undefined) return value;
    throw new KommoApiError({
      kind: 'server',
      retryable: false,
      message: `Kommo ${what}: 204 No Content where a body was expected`,
    });
  }
}
