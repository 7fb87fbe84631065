import {
  Controller,
  Get,
  Logger,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ClientBudget, OverClientBudget } from '../../common/http/client-budget';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { AppConfig } from '../../config/app-config';
import { parseKommoHost } from '../../integrations/kommo/kommo-host';
import { EventsSubscription } from '../../domain/handoff/events-subscription';
import { InstallationJobs } from '../../domain/installations/installation-jobs';
import { InstallationService } from '../../domain/installations/installation.service';
import { OAuthRejectedError } from '../../integrations/kommo/kommo-oauth.client';
import { CallbackQuery, UninstallQuery } from './oauth-queries';
import { OAuthStateSigner } from './oauth-state';
import { OAuthTokenBudget } from '../../integrations/kommo/oauth-token-budget';
import { resultPage } from './result-page';
import { isValidUninstallSignature } from '../../integrations/kommo/uninstall-signature';

/** Kommo's codes are long opaque strings; anything else is not worth a call (and not logged). */
const CODE_SHAPE = /^[A-Za-z0-9._~+/=-]{8,4096}$/;

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
    private readonly states: OAuthStateSigner,
    private readonly budget: OAuthTokenBudget,
    private readonly installations: InstallationService,
    private readonly jobs: InstallationJobs,
    private readonly clientBudget: ClientBudget,
    private readonly chatEvents: EventsSubscription,
  ) {}

  /**
   * Starts the browser flow: a signed, short-lived `state` (nothing stored but the address's
   * budget counter), then Kommo's consent window.
   */
  @Get('oauth/start')
  async start(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const clientId = this.config.get('KOMMO_CLIENT_ID');
    if (!clientId) throw notConfigured();
    await this.clientBudget.enforce('oauth-start', request.ip);
    const url = new URL(this.config.get('KOMMO_CONSENT_URL'));
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('state', this.states.issue());
    url.searchParams.set('mode', 'post_message');
    return reply.redirect(url.toString(), 302);
  }

  /**
   * Kommo's install call (no `state`, docs/architecture.md "Unauthenticated callers") and the
   * browser's return from the consent window (our signed `state`). Anyone can call this URL, so a
   * call reaches Kommo's token endpoint only when OAuthTokenBudget admits it.
   */
  @Get('oauth/callback')
  async callback(
    @Query(new ZodPipe(CallbackQuery)) query: CallbackQuery,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const clientId = this.config.get('KOMMO_CLIENT_ID');
    if (!clientId || !this.config.get('KOMMO_CLIENT_SECRET')) throw notConfigured();
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
    const code = query.code;
    if (!code || !CODE_SHAPE.test(code) || !target) {
      return this.page(
        reply,
        400,
        'Invalid request',
        'Expected code and referer (a Kommo account host).',
        false,
      );
    }
    // The consent redirect names the integration; another one's redirect is not ours to exchange.
    if (query.client_id !== undefined && query.client_id !== clientId) {
      return this.page(
        reply,
        400,
        'Invalid request',
        'This link is for another integration.',
        false,
      );
    }
    const browser = query.state !== undefined;
    const state = browser ? this.states.verify(query.state!) : null;
    if (browser && !state) return this.expired(reply);

    const admission = await this.budget.admit(target, code, state ?? undefined);
    switch (admission.kind) {
      case 'admitted':
        break;
      case 'over_budget':
        this.logger.warn({ host: target.host }, 'OAuth callback over the token-endpoint budget');
        void reply.header('retry-after', String(admission.retryAfterSec));
        return browser
          ? this.page(
              reply,
              429,
              'Too many attempts',
              'Too many installation attempts right now. Start the installation again in a minute.',
              false,
            )
          : reply
              .code(429)
              .send({ error: 'too_many_requests', retryAfter: admission.retryAfterSec });
      case 'seen':
        // The same code again (a reload, Kommo or a forger repeating itself): no second call.
        if (!browser) return reply.code(200).send({ accepted: true });
        return admission.outcome === 'done'
          ? this.page(
              reply,
              200,
              'Installed',
              'GPT Bridge is connected; you can close this window.',
              true,
            )
          : this.expired(reply);
      case 'state_used':
        return this.expired(reply);
    }

    // Kommo's install call: answer at once, exchange in a job (it never resends, the code lives 20 min).
    if (!browser) {
      await this.jobs.exchangeCode(target, code);
      return reply.code(200).send({ accepted: true });
    }
    try {
      const { installation, token } = await this.installations.completeInstall(target, code);
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
            'Kommo could not be reached. Start the installation again in a minute.',
            false,
          );
    }
  }

  private expired(reply: FastifyReply): FastifyReply {
    return this.page(
      reply,
      400,
      'Link expired',
      'This installation link expired or was already used. Start again from Kommo.',
      false,
    );
  }

  /**
   * Kommo's "hook on disabling the integration" (GET, signed). Only bad signatures count against
   * the address's budget: Kommo's own calls are never refused.
   */
  @Get('uninstall')
  async uninstall(
    @Query(new ZodPipe(UninstallQuery)) query: UninstallQuery,
    @Req() request: FastifyRequest,
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
      const retryAfterSec = await this.clientBudget.take('uninstall-refusals', request.ip);
      if (retryAfterSec !== null) throw new OverClientBudget(retryAfterSec);
      this.logger.warn({ accountId: params.accountId }, 'uninstall hook with a bad signature');
      throw new UnauthorizedException('invalid signature');
    }
    // Before the tokens go: the DELETE needs one (docs/kommo-contract.md §8.1.4; bounded, never throws).
    await this.chatEvents.unsubscribeAtUninstall(Number(params.accountId));
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
