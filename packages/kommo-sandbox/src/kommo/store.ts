import { randomBytes, randomUUID } from 'node:crypto';
import { type SandboxClock } from '../clock.js';
import { AccountData, type AccountDataSnapshot, type IdSource } from './account-data.js';
import { KommoStoreError, notFound } from './errors.js';
import { FaultInjector } from './faults.js';
import { LeadShortcuts } from './lead-shortcuts.js';
import { OAuthGrants, type OAuthSnapshot } from './oauth-grants.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import {
  defaultKommoSettings,
  type AccountDomain,
  type AccountLanguage,
  type Integration,
  type KommoAccount,
  type KommoSettings,
  type KommoUser,
} from './types.js';

export type CreateAccountInput = {
  subdomain: string;
  domain?: AccountDomain;
  name?: string;
  language?: AccountLanguage;
  timezone?: string;
  /** Users to create; the first one is the current (installing) user. Default: one admin. */
  users?: { name: string; is_admin?: boolean; email?: string }[];
  /** Shortcut: whether the default current user is an admin (ignored when `users` is given). */
  current_user_is_admin?: boolean;
};

export type KommoSnapshot = {
  version: 1;
  integration: Integration;
  settings: KommoSettings;
  nextIds: Record<string, number>;
  accounts: AccountDataSnapshot[];
  oauth: OAuthSnapshot;
};

const START_IDS = {
  account: 30_000_001,
  user: 9_000_001,
  lead: 1_000_001,
  field: 700_001,
  tag: 50_001,
  note: 400_001,
  enum: 800_001,
  webhook: 60_001,
  pipeline: 7_000_001,
  status: 60_000_001,
  task: 20_000_001,
};

const defaultIntegration = (): Integration => ({
  client_id: randomUUID(),
  client_secret: randomBytes(32).toString('base64url'),
  redirect_uri: 'http://127.0.0.1:3000/kommo/oauth/callback',
  uninstall_hook_url: '',
  name: 'GPT Bridge (sandbox)',
});

/**
 * The fake Kommo's whole state: the integration, many accounts with their users, leads, lead
 * custom fields, tags and notes, OAuth grants, plus the request log, rate limiter and faults.
 * Other sandbox parts reach it as `context.kommo`. Mutating methods notify `onChange` (persistence).
 */
export class KommoStore extends LeadShortcuts {
  integration: Integration = defaultIntegration();
  settings: KommoSettings = defaultKommoSettings();
  readonly requests = new RequestLog();
  readonly faults = new FaultInjector();
  readonly rateLimiter: RateLimiter;
  readonly oauth: OAuthGrants;
  /** Called after every change; persistence hooks in here. */
  onChange: () => void = () => {};
  /** Set when state is kept in a file (see persistence.ts). */
  persistence: { flush: () => void; stop: () => void } | null = null;

  private accounts = new Map<number, AccountData>();
  private nextIds: Record<string, number> = { ...START_IDS };
  private readonly ids: IdSource = (kind) => {
    const id = this.nextIds[kind] ?? 1;
    this.nextIds[kind] = id + 1;
    return id;
  };

  constructor(readonly clock: SandboxClock) {
    super();
    this.rateLimiter = new RateLimiter(
      () => clock.now(),
      () => this.settings.rateLimit,
    );
    this.oauth = new OAuthGrants({
      now: () => clock.now(),
      settings: () => this.settings.oauth,
      account: (id) => this.getAccount(id),
      changed: () => this.changed(),
    });
  }

  /** Tell the store that state changed outside its methods (e.g. a lead object edited in place). */
  override changed(): void {
    this.onChange();
  }

  // ---- integration and settings

  setIntegration(patch: Partial<Integration>): Integration {
    this.integration = { ...this.integration, ...patch };
    this.changed();
    return this.integration;
  }

  /** Deep-merges one level: `{ rateLimit: { perWindow: 3 } }` keeps the other rate-limit knobs. */
  updateSettings(patch: { [K in keyof KommoSettings]?: Partial<KommoSettings[K]> }): KommoSettings {
    const next = { ...this.settings } as Record<string, unknown>;
    for (const [key, value] of Object.entries(patch)) {
      const current = next[key];
      next[key] =
        current && typeof current === 'object' && value && typeof value === 'object'
          ? { ...current, ...value }
          : value;
    }
    this.settings = next as KommoSettings;
    this.changed();
    return this.settings;
  }

  // ---- accounts and users

  createAccount(input: CreateAccountInput): KommoAccount {
    const subdomain = input.subdomain.trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9-]*$/.test(subdomain)) {
      throw new KommoStoreError('InvalidValue', 'Invalid subdomain', 'subdomain');
    }
    if (this.findAccountBySubdomain(subdomain)) {
      throw new KommoStoreError('NotUnique', `Subdomain ${subdomain} is taken`, 'subdomain');
    }
    const domain = input.domain ?? 'kommo.com';
    const specs = input.users?.length
      ? input.users
      : [{ name: 'Admin', is_admin: input.current_user_is_admin ?? true }];
    const users: KommoUser[] = specs.map((u, index) => {
      const id = this.ids('user');
      return {
        id,
        name: u.name,
        email: u.email ?? `user${index + 1}@${subdomain}.example`,
        is_admin: u.is_admin ?? index === 0,
      };
    });
    const account: KommoAccount = {
      id: this.ids('account'),
      name: input.name ?? subdomain,
      subdomain,
      domain,
      host: `${subdomain}.${domain}`,
      language: input.language ?? (domain === 'amocrm.ru' ? 'ru' : 'en'),
      timezone: input.timezone ?? 'America/Sao_Paulo',
      country: 'BR',
      currency: 'USD',
      current_user_id: users[0]?.id ?? 0,
      users,
      amojo_id: randomUUID(),
      created_at: Math.floor(this.clock.now() / 1000),
    };
    const data = this.newAccountData(account);
    data.seedPipelines();
    this.accounts.set(account.id, data);
    this.changed();
    return account;
  }

  getAccount(id: number): KommoAccount | undefined {
    return this.accounts.get(id)?.account;
  }

  requireAccount(id: number): KommoAccount {
    return this.data(id).account;
  }

  listAccounts(): KommoAccount[] {
    return [...this.accounts.values()].map((d) => d.account);
  }

  findAccountBySubdomain(subdomain: string): KommoAccount | undefined {
    const wanted = subdomain.toLowerCase();
    return this.listAccounts().find((a) => a.subdomain === wanted);
  }

  /** `acme.kommo.com`, `acme.kommo.com:4000` or `ACME.amocrm.ru` → the account. */
  findAccountByHost(host: string): KommoAccount | undefined {
    const bare = host.toLowerCase().replace(/:\d+$/, '');
    return this.listAccounts().find((a) => a.host === bare);
  }

  /** A subdomain, a host or a numeric id. */
  findAccount(ref: string | number): KommoAccount | undefined {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) return this.getAccount(Number(ref));
    return ref.includes('.') ? this.findAccountByHost(ref) : this.findAccountBySubdomain(ref);
  }

  updateAccount(
    id: number,
    patch: Partial<
      Pick<KommoAccount, 'name' | 'language' | 'timezone' | 'current_user_id' | 'subdomain'>
    >,
  ): KommoAccount {
    const account = this.requireAccount(id);
    if (
      patch.current_user_id !== undefined &&
      !account.users.some((u) => u.id === patch.current_user_id)
    ) {
      throw notFound(`User ${patch.current_user_id}`);
    }
    Object.assign(account, patch);
    account.host = `${account.subdomain}.${account.domain}`;
    this.changed();
    return account;
  }

  addUser(
    accountId: number,
    input: { name: string; is_admin?: boolean; email?: string },
  ): KommoUser {
    const account = this.requireAccount(accountId);
    const user: KommoUser = {
      id: this.ids('user'),
      name: input.name,
      email: input.email ?? `user${account.users.length + 1}@${account.subdomain}.example`,
      is_admin: input.is_admin ?? false,
    };
    account.users.push(user);
    this.changed();
    return user;
  }

  getUser(accountId: number, userId: number): KommoUser | undefined {
    return this.getAccount(accountId)?.users.find((u) => u.id === userId);
  }

  /** Per-account data (leads, fields, tags, notes) for callers that need more than the shortcuts. */
  override data(accountId: number): AccountData {
    const data = this.accounts.get(accountId);
    if (!data) throw notFound(`Account ${accountId}`);
    return data;
  }

  // ---- requests

  recordRequest(
    entry: Omit<RequestLogEntry, 'id' | 'time' | 'at'> & { at?: number },
  ): RequestLogEntry {
    return this.requests.record({ ...entry, at: entry.at ?? this.clock.now() });
  }

  // ---- whole state

  /** Forgets everything: accounts, grants, log, faults, limiter, settings (the integration is kept unless asked). */
  reset(options: { keepIntegration?: boolean } = {}): void {
    this.accounts.clear();
    this.nextIds = { ...START_IDS };
    this.oauth.reset();
    this.requests.clear();
    this.faults.clear();
    this.rateLimiter.reset();
    this.settings = defaultKommoSettings();
    if (!options.keepIntegration) this.integration = defaultIntegration();
    this.changed();
  }

  snapshot(): KommoSnapshot {
    return {
      version: 1,
      integration: this.integration,
      settings: this.settings,
      nextIds: this.nextIds,
      accounts: [...this.accounts.values()].map((d) => d.snapshot()),
      oauth: this.oauth.snapshot(),
    };
  }

  restore(snapshot: KommoSnapshot): void {
    this.integration = snapshot.integration;
    this.settings = { ...defaultKommoSettings(), ...snapshot.settings };
    this.nextIds = { ...START_IDS, ...snapshot.nextIds };
    this.accounts.clear();
    for (const item of snapshot.accounts) {
      const data = this.newAccountData(item.account);
      data.restore(item);
      this.accounts.set(item.account.id, data);
    }
    this.oauth.restore(snapshot.oauth);
  }

  private newAccountData(account: KommoAccount): AccountData {
    return new AccountData(
      account,
      this.ids,
      () => this.clock.now(),
      () => this.settings.fields,
    );
  }
}
