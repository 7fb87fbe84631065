import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, redisKey } from '../../common/redis/redis.module';
import { AppConfig } from '../../config/app-config';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { type Installation } from '../installations/installation.entity';
import { type CatalogField } from './field-values';
import { type AccountCatalog, type CatalogPipeline, type CatalogUser } from './extraction.types';

// Fields, stages and users change rarely; five minutes spares the account's 6/s Kommo budget a
// read per extraction, and a reference the cache does not know forces a fresh read (§9.1).
const TTL_SECONDS = 300;

type Part = keyof AccountCatalog;

/**
 * The account's lead fields, pipelines and users as Kommo lists them, kept in Redis for every
 * process. Every read goes through the installation's KommoClient, so it spends from the same
 * rate budget as the answers.
 */
@Injectable()
export class AccountCatalogs {
  constructor(
    private readonly kommo: KommoClientFactory,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** The parts asked for (others come back empty); `fresh` skips the cache and refills it. */
  async load(
    installation: Pick<Installation, 'id' | 'host' | 'subdomain'>,
    parts: readonly Part[],
    fresh = false,
  ): Promise<AccountCatalog> {
    const catalog: AccountCatalog = { fields: [], pipelines: [], users: [] };
    for (const part of parts) {
      const key = redisKey(this.config, 'kommo-catalog', installation.id, part);
      const cached = fresh ? undefined : await this.cached(key);
      // Wrapped, so a kept `null` (users Kommo would not list) is a hit, not a miss.
      const value = cached ? cached.value : await this.read(installation, part);
      if (!cached) await this.keep(key, value);
      Object.assign(catalog, { [part]: value });
    }
    return catalog;
  }

  private async keep(key: string, value: unknown): Promise<void> {
    try {
      await this.redis.set(key, JSON.stringify({ value }), 'EX', TTL_SECONDS);
    } catch {
      // Without Redis the next request reads Kommo again: slower, not wrong.
    }
  }

  private async cached(key: string): Promise<{ value: unknown } | undefined> {
    try {
      const text = await this.redis.get(key);
      return text === null ? undefined : (JSON.parse(text) as { value: unknown });
    } catch {
      return undefined; // a cache that does not answer is a cache miss
    }
  }

  private async read(
    installation: Pick<Installation, 'id' | 'host' | 'subdomain'>,
    part: Part,
  ): Promise<AccountCatalog[Part]> {
    const client = this.kommo.forInstallation({
      installationId: installation.id,
      host: installation.host,
      subdomain: installation.subdomain,
    });
    switch (part) {
      case 'fields':
        return (await client.listLeadCustomFields()).map((f): CatalogField => ({
          id: f.id,
          name: f.name,
          type: f.type,
          code: f.code,
          enums: f.enums?.map((e) => ({ id: e.id, value: e.value })) ?? null,
        }));
      case 'pipelines':
        return (await client.listPipelines())
          .filter((p) => p.is_archive !== true)
          .map((p): CatalogPipeline => ({
            id: p.id,
            name: p.name,
            statuses: p._embedded.statuses.map((s) => ({ id: s.id, name: s.name })),
          }));
      case 'users':
        try {
          return (await client.listUsers()).map((u): CatalogUser => ({
            id: u.id,
            name: u.name ?? `user ${u.id}`,
            active: u.rights?.is_active !== false,
          }));
        } catch (error) {
          // The users list is admin-only (§9.4): a non-admin's token cannot check users at all.
          if (error instanceof KommoApiError && error.kind === 'forbidden') return null;
          throw error;
        }
    }
  }
}
