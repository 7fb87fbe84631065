import { createHmac, randomUUID } from 'node:crypto';

/** A widget_request token as Kommo signs it (HS512 with the client secret), valid 10 minutes. */
export function botToken(secret: string, accountId: number, leadId: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${part({ alg: 'HS512', typ: 'JWT' })}.${part({
    account_id: accountId,
    entity_id: leadId,
    entity_type: 2,
    exp: Math.floor(Date.now() / 1000) + 600,
    jti: randomUUID(),
  })}`;
  return `${head}.${createHmac('sha512', secret).update(head).digest('base64url')}`;
}
