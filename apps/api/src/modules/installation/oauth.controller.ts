import { randomBytes } from 'node:crypto';
import {
  Controller,
  Get,
  Inject,
  Logger,
  Query,
  Res,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS, redisKey } from '../../common/redis/redis.module';
import { parseKommoHost } from '../kommo/kommo-host';
import { InstallationJobs } from './installation-jobs';
import { InstallationService } from './installation.service';
import { OAuthRejectedError } from './kommo-oauth.client';
import { resultPage } from './result-page';
import { isValidUninstallSignature } from './uninstall-signature';

const STATE_TTL_SEC = 15 * 60;

type CallbackQuery = Partial<
  Record<'code' | 'state' | 'referer' | 'from_widget' | 'error' | 'client_id', string>
>;
type UninstallQuery = Partial<Record<'client_uuid' | 'account_id' | 'signature', string>>;

const notConfigured = () =>
  new ServiceUnavailableException(
    'Kommo integration is not configured (KOMMO_CLIENT_ID, KOMMO_CLIENT_SECRET)',
  );

/** Kommo's redirect URI (install call and browser consent) and the uninstall hook. */
@Controller('kommo')
export class OAuthController {
  private readonly logger = new Logger(OAuthController.name);

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly installations: InstallationService,
    private readonly jobs: InstallationJobs,
  ) {}

  /** Starts the browser flow: a one-time `state`, then Kommo's consent window. */
  @Get('oauth/start')
  async start(@Res() reply: FastifyReply): Promise<FastifyReply> {
    const clientId = this.config.get('KOMMO_CLIENT_ID');
    if (!clientId) throw notConfigured();
    const state = randomBytes(24).toString('base64url');
    await this.redis.set(redisKey(this.config, 'oauth-state', state), '1', 'EX', STATE_TTL_SEC);
    const url = new URL(this.config.get('KOMMO_CONSENT_URL'));
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('state', state);
    url.searchParams.set('mode', 'post_message');
    return reply.redirect(url.toString(), 302);
  }

  @Get('oauth/callback')
  async callback(@Query() query: CallbackQuery, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (!this.config.get('KOMMO_CLIENT_ID') || !this.config.get('KOMMO_CLIENT_SECRET')) {
      throw notConfigured();
    }
    if (query.error) {
      return this.page(
        reply,
        200,
        'Installation cancelled',
        'Access to the account was declined.',
        false,
      );
    }
    const target = parseKommoHost(query.referer);
    if (!query.code || !target) {
      return this.page(
        reply,
        400,
        'Invalid request',
        'Expected code and referer (a Kommo account host).',
        false,
      );
    }

    // Kommo's install call: answer at once, exchange in a job (it never resends, the code lives 20 min).
    if (query.state === undefined) {
      await this.jobs.exchangeCode(target, query.code);
      return reply.code(200).send({ accepted: true });
    }

    const stateKey = redisKey(this.config, 'oauth-state', query.state);
    if ((await this.redis.getdel(stateKey)) === null) {
      return this.page(
        reply,
        400,
        'Link expired',
        'This installation link expired or was already used. Start again from Kommo.',
        false,
      );
    }
    try {
      const { installation, token } = await this.installations.completeInstall(target, query.code);
      if (token === 'kept_admin_token') {
        return this.page(
          reply,
          200,
          'Already connected',
          `GPT Bridge stays connected to ${installation.host} with an account administrator's authorization; yours was not used, because only an administrator's lets it create lead fields and continue salesbots. Nothing changed; you can close this window.`,
          true,
        );
      }
      if (installation.tokenUserIsAdmin === false) {
        return this.page(
          reply,
          200,
          'Connected with limited rights',
          `GPT Bridge is connected to ${installation.host}, but you are not an account administrator, so it cannot create its lead fields or continue salesbots. Ask an administrator of the account to install GPT Bridge again from Kommo.`,
          false,
        );
      }
      await this.jobs.provisionFields(installation.id);
      return this.page(
        reply,
        200,
        'Installed',
        `GPT Bridge is connected to ${installation.host}. Its lead fields are being created; you can close this window.`,
        true,
      );
    } catch (error) {
      this.logger.warn(
        { host: target.host, error: (error as Error).message },
        'consent install failed',
      );
      return error instanceof OAuthRejectedError
        ? this.page(
            reply,
            400,
            'Installation failed',
            'Kommo refused the authorization (it may have expired). Start the installation again.',
            false,
          )
        : this.page(
            reply,
            502,
            'Kommo unreachable',
            'Kommo could not be reached. Please try again in a minute.',
            false,
          );
    }
  }

  /** Kommo's "hook on disabling the integration" (GET, signed). */
  @Get('uninstall')
  async uninstall(
    @Query() query: UninstallQuery,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const clientId = this.config.get('KOMMO_CLIENT_ID');
    const clientSecret = this.config.get('KOMMO_CLIENT_SECRET');
    if (!clientId || !clientSecret) throw notConfigured();
    const params = {
      clientUuid: query.client_uuid ?? '',
      accountId: query.account_id ?? '',
      signature: query.signature ?? '',
    };
    if (!isValidUninstallSignature(params, { clientId, clientSecret })) {
      this.logger.warn({ accountId: params.accountId }, 'uninstall hook with a bad signature');
      throw new UnauthorizedException('invalid signature');
    }
    const disabled = await this.installations.disable(Number(params.accountId));
    this.logger.log({ accountId: params.accountId, disabled }, 'uninstall hook');
    return reply.code(200).send({ ok: true });
  }

  private page(
    reply: FastifyReply,
    status: number,
    title: string,
    message: string,
    ok: boolean,
  ): FastifyReply {
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(resultPage(title, message, ok));
  }
}
