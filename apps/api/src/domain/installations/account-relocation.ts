import { Injectable, Logger } from '@nestjs/common';
import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { SecretBox } from '../../common/crypto/secret-box';
import { AppConfig } from '../../config/app-config';
import {
  lockForTransaction,
  setLockTimeout,
  Transactions,
} from '../../database/transactions.repository';
import { type KommoHost, parseKommoHost } from '../../integrations/kommo/kommo-host';
import { InstallationsRepository, type RelocationRow } from './installations.repository';

/** Kommo's answer to the lookup (docs/kommo-contract.md §2.6). */
const LookupResponse = z.object({
  id: z.coerce.number().int().positive(),
  subdomain: z.string().min(1),
  domain: z.string().optional(),
});

/** At most one lookup per installation per this long in each process: never a lookup storm. */
export const LOOKUP_INTERVAL_MS = 30_000;

export const refreshTokenContext = (id: string) => `installations.refresh_token:${id}`;

/**
 * Finds a renamed account's new host with `GET {KOMMO_ACCOUNT_LOOKUP_URL}/oauth2/account/current/
 * subdomain` and moves the installation there (docs/kommo-contract.md §2.6). One lookup at a
 * time per installation: in this process callers share the one in flight, across processes a
 * PostgreSQL advisory lock serialises them and whoever comes second finds the row already moved.
 */
@Injectable()
export class AccountRelocator {
  private readonly logger = new Logger(AccountRelocator.name);
  private readonly http: AxiosInstance;
  private readonly inFlight = new Map<string, Promise<KommoHost | null>>();
  private readonly lastLookup = new Map<string, number>();

  constructor(
    private readonly transactions: Transactions,
    private readonly installations: InstallationsRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {
    // No redirects: the request carries a refresh token.
    this.http = axios.create({ timeout: 10_000, maxRedirects: 0 });
  }

  /** The account's current host when it moved away from `failedHost`, else null. */
  relocate(installationId: string, failedHost: string): Promise<KommoHost | null> {
    const running = this.inFlight.get(installationId);
    if (running) return running;
    const run = this.locked(installationId, failedHost).finally(() =>
      this.inFlight.delete(installationId),
    );
    this.inFlight.set(installationId, run);
    return run;
  }

  private locked(installationId: string, failedHost: string): Promise<KommoHost | null> {
    return this.transactions.run(async (tx) => {
      await setLockTimeout(tx, '20s');
      await lockForTransaction(tx, `kommo-relocate:${installationId}`);
      const row = await this.installations.readForRelocation(tx, installationId);
      if (!row?.refreshTokenEnc) return null;
      // Someone (another job or process) already moved it.
      if (row.host !== failedHost) return { host: row.host, subdomain: row.subdomain };
      const last = this.lastLookup.get(installationId) ?? 0;
      if (Date.now() - last < LOOKUP_INTERVAL_MS) return null;
      this.lastLookup.set(installationId, Date.now());
      const found = await this.lookup(installationId, row);
      if (!found || found.host === row.host) return null;
      await this.installations.moveHost(tx, installationId, found.host, found.subdomain);
      this.logger.warn(
        { installationId, from: row.host, to: found.host },
        'Kommo account renamed: installation moved to its new host',
      );
      return found;
    });
  }

  private async lookup(installationId: string, row: RelocationRow): Promise<KommoHost | null> {
    const refreshToken = this.box.decrypt(
      row.refreshTokenEnc ?? '',
      refreshTokenContext(installationId),
    );
    const url = `${this.config.get('KOMMO_ACCOUNT_LOOKUP_URL')}/oauth2/account/current/subdomain`;
    try {
      const response = await this.http.get<unknown>(url, {
        headers: { accept: 'application/json', 'x-refresh-token': refreshToken },
      });
      const body = LookupResponse.parse(response.data);
      if (String(body.id) !== String(row.kommoAccountId)) {
        this.logger.warn({ installationId }, 'Kommo account lookup named another account');
        return null;
      }
      // `domain` is the full host; otherwise the account keeps its zone (kommo.com / amocrm.ru).
      const sameZone = `${body.subdomain}${row.host.slice(row.subdomain.length)}`;
      return parseKommoHost(body.domain) ?? parseKommoHost(sameZone);
    } catch (error) {
      // Never the request (it holds the refresh token): only what went wrong.
      const reason = axios.isAxiosError(error)
        ? `${error.response?.status ?? error.code ?? 'network'}`
        : error instanceof Error
          ? error.message
          : String(error);
      this.logger.warn({ installationId, reason }, 'Kommo account lookup failed');
      return null;
    }
  }
}
