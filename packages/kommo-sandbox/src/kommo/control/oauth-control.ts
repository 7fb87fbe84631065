import { createHmac, randomBytes } from 'node:crypto';
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../../context.js';
import { consentRedirect } from '../api/oauth-routes.js';
import { callOutbound } from '../outbound.js';
import { type KommoAccount } from '../types.js';
import { accountParam } from './params.js';

const userOf = (request: FastifyRequest, account: KommoAccount): number => {
  const body = (request.body ?? {}) as Record<string, unknown>;
  return typeof body.user_id === 'number' ? body.user_id : account.current_user_id;
};

/** `hex(HMAC_SHA256(client_secret, "{client_id}|{account_id}"))` (docs/kommo-contract.md §2.7). */
export function uninstallSignature(
  clientId: string,
  clientSecret: string,
  accountId: number,
): string {
  return createHmac('sha256', clientSecret).update(`${clientId}|${accountId}`).digest('hex');
}

/** Control API for grants: direct tokens/codes, revocation, the install call and the uninstall hook. */
export function registerOAuthControl(app: FastifyInstance, context: SandboxContext): void {
  const store = context.kommo;

  // A token pair without the consent flow (for tests of other parts).
  app.post('/_sandbox/accounts/:account/tokens', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    return reply
      .code(201)
      .send(
        store.oauth.issueTokens(account.id, userOf(request, account), store.integration.client_id),
      );
  });

  // An authorization code plus the browser redirect the consent page would produce.
  app.post('/_sandbox/accounts/:account/codes', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const { integration } = store;
    const code = store.oauth.issueCode(account.id, userOf(request, account), integration.client_id);
    const state = ((request.body ?? {}) as Record<string, unknown>).state;
    const redirect = consentRedirect(integration.redirect_uri, {
      code: code.code,
      state: typeof state === 'string' ? state : undefined,
      referer: account.host,
      client_id: integration.client_id,
    });
    return reply
      .code(201)
      .send({ code: code.code, expires_at: code.expires_at, referer: account.host, redirect });
  });

  app.post('/_sandbox/accounts/:account/revoke-tokens', async (request, reply) => {
    const account = accountParam(context, request, reply);
    return account ? { revoked: store.oauth.revokeAccount(account.id) } : reply;
  });

  // Kommo's widget-install webhook: one server-side GET to the redirect URI, response ignored.
  app.post('/_sandbox/accounts/:account/install', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const { integration } = store;
    const code = store.oauth.issueCode(account.id, userOf(request, account), integration.client_id);
    const url = consentRedirect(integration.redirect_uri, {
      code: code.code,
      referer: account.host,
      from_widget: '1',
    });
    const call = await callOutbound(context, { url, kind: 'install', accountId: account.id });
    return { code: code.code, referer: account.host, url, call };
  });

  // The "hook on disabling the integration"; `forge: true` sends a wrong signature.
  app.post('/_sandbox/accounts/:account/uninstall', async (request, reply) => {
    const account = accountParam(context, request, reply);
    if (!account) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { integration } = store;
    if (!integration.uninstall_hook_url) {
      return reply.code(409).send({ error: 'no uninstall_hook_url configured' });
    }
    if (body.revoke !== false) store.oauth.revokeAccount(account.id);
    const signature =
      body.forge === true
        ? randomBytes(32).toString('hex')
        : uninstallSignature(integration.client_id, integration.client_secret, account.id);
    const url = new URL(integration.uninstall_hook_url);
    url.searchParams.set('client_uuid', integration.client_id);
    url.searchParams.set('account_id', String(account.id));
    url.searchParams.set('signature', signature);
    const call = await callOutbound(context, {
      url: url.toString(),
      kind: 'uninstall',
      accountId: account.id,
    });
    return { url: url.toString(), signature, call };
  });
}
