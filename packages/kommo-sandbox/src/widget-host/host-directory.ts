import { type SandboxContext } from '../context.js';
import { type Lead } from '../kommo/index.js';
import { type HostCard } from './host-page.js';

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
  /** A lead of the account, for the lead card location. */
  lead(accountId: number, leadId: number): HostCard | undefined;
  /** The account's first lead (the card the host opens when none is named). */
  firstLead(accountId: number): HostCard | undefined;
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
    lead: (accountId, leadId) => {
      const lead = store.getLead(accountId, leadId);
      return lead ? hostCard(lead) : undefined;
    },
    firstLead: (accountId) => {
      const [lead] = store.listLeads(accountId);
      return lead ? hostCard(lead) : undefined;
    },
  };
}

function hostCard(lead: Lead): HostCard {
  return {
    id: lead.id,
    name: lead.name,
    price: lead.price,
    status_id: lead.status_id,
    pipeline_id: lead.pipeline_id,
    responsible_user_id: lead.responsible_user_id,
  };
}
