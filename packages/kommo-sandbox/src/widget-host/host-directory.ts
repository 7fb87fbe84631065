import { type SandboxContext } from '../context.js';

// The little the widget host needs from the Kommo core: the integration (for the token's key and
// audience) and accounts with their users. Kept narrow so the host does not follow store internals.

export type HostIntegration = { client_id: string; client_secret: string; redirect_uri: string };

export type HostUser = { id: number; name: string; email: string; is_admin: boolean };

export type HostAccount = {
  id: number;
  name: string;
  subdomain: string;
  /** `{subdomain}.kommo.com` or `{subdomain}.amocrm.ru`. */
  host: string;
  language: string;
  timezone: string;
  currency: string;
  current_user_id: number;
  users: HostUser[];
};

export type HostDirectory = {
  integration(): HostIntegration | undefined;
  accounts(): HostAccount[];
  /** By numeric id, subdomain or host (`acme.kommo.com`). */
  findAccount(ref: string | number): HostAccount | undefined;
};

/** The user a page or token acts as: the given one, else the account's current user. */
export function findUser(account: HostAccount, userId?: number): HostUser | undefined {
  return account.users.find((user) => user.id === (userId ?? account.current_user_id));
}

/** Reads the Kommo core's store (`context.kommo`) live: accounts and the integration can change. */
export function directoryFrom(context: SandboxContext): HostDirectory {
  const store = context.kommo;
  return {
    integration: () => store.integration,
    accounts: () => store.listAccounts(),
    findAccount: (ref) => store.findAccount(typeof ref === 'string' ? ref.trim() : ref),
  };
}
