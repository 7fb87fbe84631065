import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import axios, { type AxiosInstance } from 'axios';
import { type DataSource } from 'typeorm';
import { z } from 'zod';
import { SecretBox } from '../../common/crypto/secret-box';
import { AppConfig } from '../../config/app-config';
import { type KommoHost, parseKommoHost } from '../../integrations/kommo/kommo-host';

/** Kommo's answer to the lookup (docs/kommo-contract.md §2.6). */
const LookupResponse = z.object({
  id: z.coerce.number().int().positive(),
  subdomain: z.string().min(1),
  domain: z.string().optional(),
});

/** At most one lookup per installation per this long in each process: never a lookup storm. */
export const LOOKUP_INTERVAL_MS = 30_000;

type RelocationRow = {
  kommo_account_id: string;
  host: string;
  subdomain: string;
  refresh_token_enc: string | null;
};

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
    @InjectDataSource() private readonly db: DataSource,
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
    return this.db.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = '20s'`);
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `kommo-relocate:${installationId}`,
      ]);
      const rows: RelocationRow[] = await manager.query(
        `SELECT kommo_account_id, host, subdomain, refresh_token_enc
           FROM installations WHERE id = $1`,
        [installationId],
      );
      const row = rows[0];
      if (!row?.refresh_token_enc) return null;
      // Someone (another job or process) already moved it.
      if (row.host !== failedHost) return { host: row.host, subdomain: row.subdomain };
      const last = this.lastLookup.get(installationId) ?? 0;
      if (Date.now() - last < LOOKUP_INTERVAL_MS) return null;
      this.lastLookup.set(installationId, Date.now());
      const found = await this.lookup(installationId, row);
      if (!found || found.host === row.host) return null;
      await manager.query(
        `UPDATE installations SET host = $2, subdomain = $3, updated_at = now() WHERE id = $1`,
        [installationId, found.host, found.subdomain],
      );
      this.logger.warn(
        { installationId, from: row.host, to: found.host },
        'Kommo account renamed: installation moved to its new host',
      );
      return found;
    });
  }

  private async lookup(installationId: string, row: RelocationRow): Promise<KommoHost | null> {
    const refreshToken = this.box.decrypt(
      row.refresh_token_enc ?? '',
      refreshTokenContext(installationId),
    );
    const url = `${this.config.get('KOMMO_ACCOUNT_LOOKUP_URL')}/oauth2/account/current/subdomain`;
    try {
      const response = await this.http.get<unknown>(url, {
        headers: { accept: 'application/json', 'x-refresh-token': refreshToken },
      });
      const body = LookupResponse.parse(response.data);
      if (String(body.id) !== String(row.kommo_account_id)) {
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
