import { createHash, randomBytes } from 'node:crypto';
import { WEBHOOK_KINDS_CONTRACT } from '@gpt-bridge/shared';

/** The two webhooks of an installation: internal decisions, and replies to customers. */
export const WEBHOOK_KINDS = WEBHOOK_KINDS_CONTRACT;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

// 32 random bytes (256 bits) as base64url: 43 characters, safe in a URL path.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newWebhookToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Anything else cannot be one of ours: refused without touching the database. */
export function isWebhookTokenShaped(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

/**
 * Tokens carry 256 random bits, so a plain SHA-256 is enough to store them (no password hash);
 * looking the digest up by index reveals nothing usable about the token.
 */
export function hashWebhookToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export const webhookTokenContext = (installationId: string, kind: WebhookKind) =>
  `webhook_tokens.token:${installationId}:${kind}`;

export function webhookUrl(publicUrl: string, token: string, path: 'handler' | 'widget-request') {
  return `${publicUrl}/${token}/${path}`;
}
