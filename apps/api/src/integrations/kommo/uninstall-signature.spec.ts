import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidUninstallSignature } from './uninstall-signature';

const integration = { clientId: 'client-1', clientSecret: 'secret-1' };
const sign = (message: string, secret = integration.clientSecret) =>
  createHmac('sha256', secret).update(message).digest('hex');

describe('isValidUninstallSignature', () => {
  it('accepts Kommo’s signature of "client_id|account_id"', () => {
    const params = { clientUuid: 'client-1', accountId: '42', signature: sign('client-1|42') };
    expect(isValidUninstallSignature(params, integration)).toBe(true);
    const upper = { ...params, signature: params.signature.toUpperCase() };
    expect(isValidUninstallSignature(upper, integration)).toBe(true);
  });

  it('refuses another account, another secret, another client and malformed input', () => {
    const good = sign('client-1|42');
    const check = (p: { clientUuid: string; accountId: string; signature: string }) =>
      isValidUninstallSignature(p, integration);
    expect(check({ clientUuid: 'client-1', accountId: '43', signature: good })).toBe(false);
    expect(
      check({ clientUuid: 'client-1', accountId: '42', signature: sign('client-1|42', 'x') }),
    ).toBe(false);
    expect(check({ clientUuid: 'client-2', accountId: '42', signature: good })).toBe(false);
    expect(check({ clientUuid: 'client-1', accountId: '42', signature: good.slice(2) })).toBe(
      false,
    );
    expect(check({ clientUuid: 'client-1', accountId: '42;', signature: good })).toBe(false);
    expect(check({ clientUuid: 'client-1', accountId: '42', signature: '' })).toBe(false);
  });
});
