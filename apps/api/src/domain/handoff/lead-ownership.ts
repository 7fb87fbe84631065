import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, redisKey } from '../../common/redis/redis.module';
import { AppConfig } from '../../config/app-config';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { type Installation } from '../installations/installation.entity';
import { HandoffError } from './handoff-errors';

// A lead seen in the account stays known this long: the panel polls, Kommo's budget is 6/s.
const KNOWN_TTL_SEC = 600;

/**
 * The widget's X-Auth-Token names an account, never a lead (docs/kommo-contract.md §3.2, §9.5), so
 * before a lead's AI state is shown or changed we ask Kommo, with that account's own token,
 * whether the lead is the account's: another account's lead id is a 404 there.
 */
@Injectable()
export class LeadOwnership {
  constructor(
    private readonly kommo: KommoClientFactory,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async assert(installation: Installation, leadId: number): Promise<void> {
    const key = redisKey(this.config, 'handoff', 'lead', installation.id, leadId);
    if ((await this.redis.exists(key).catch(() => 0)) === 1) return;
    const client = this.kommo.forInstallation({
      installationId: installation.id,
      host: installation.host,
      subdomain: installation.subdomain,
    });
    let lead;
    try {
      lead = await client.getLead(leadId);
    } catch (error) {
      if (error instanceof KommoApiError && error.kind === 'not_found') lead = undefined;
      else if (error instanceof KommoApiError) {
        throw new HandoffError(
          'lead_unverifiable',
          `Kommo could not confirm the lead: ${error.message}`,
        );
      } else throw error;
    }
    if (!lead) throw new HandoffError('lead_not_found', `lead ${leadId} is not in this account`);
    await this.redis.set(key, '1', 'EX', KNOWN_TTL_SEC).catch(() => undefined);
  }
}
