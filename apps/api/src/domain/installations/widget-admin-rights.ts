import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS, redisKey } from '../../common/redis/redis.module';
import { type Installation } from './installation.entity';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { parseAdminClaim } from '../../integrations/kommo/widget-token-claims';

/** Rights change rarely; a minute keeps a settings page from asking Kommo on every call. */
export const ADMIN_RIGHTS_TTL_SEC = 60;

/**
 * Whether a Kommo user is an account administrator, from `GET /api/v4/users/{id}` →
 * `rights.is_admin` (docs/kommo-contract.md, users API), for widget tokens without `is_admin`.
 * Fails closed: anything but a clear "yes" from Kommo is "not an admin".
 */
@Injectable()
export class WidgetAdminRights {
  private readonly logger = new Logger(WidgetAdminRights.name);

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly kommo: KommoClientFactory,
  ) {}

  async isAdmin(installation: Installation, userId: number): Promise<boolean> {
    // Without a working token there is no one to ask.
    if (installation.status !== 'active') return false;
    const key = redisKey(this.config, 'widget-admin', installation.id, userId);
    const cached = await this.redis.get(key).catch(() => null);
    if (cached === '1' || cached === '0') return cached === '1';

    const answer = await this.ask(installation, userId);
    if (answer.definitive) {
      await this.redis
        .set(key, answer.isAdmin ? '1' : '0', 'EX', ADMIN_RIGHTS_TTL_SEC)
        .catch(() => undefined);
    }
    return answer.isAdmin;
  }

  private async ask(
    installation: Installation,
    userId: number,
  ): Promise<{ isAdmin: boolean; definitive: boolean }> {
    try {
      const user = await this.kommo
        .forInstallation({
          installationId: installation.id,
          host: installation.host,
          subdomain: installation.subdomain,
        })
        .getUser(userId);
      return { isAdmin: parseAdminClaim(user?.rights?.is_admin) === true, definitive: true };
    } catch (error) {
      // 403: our own token is a non-admin's and may not read users; 404: no such user.
      const definitive =
        error instanceof KommoApiError &&
        (error.kind === 'forbidden' || error.kind === 'not_found');
      this.logger.warn(
        {
          installationId: installation.id,
          userId,
          error: error instanceof Error ? error.message : String(error),
        },
        'could not read the user’s rights from Kommo; treated as not an admin',
      );
      return { isAdmin: false, definitive };
    }
  }
}
