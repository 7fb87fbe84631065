import { Injectable } from '@nestjs/common';
import { type WebhookKind } from '../webhooks/webhook-token';

export type QuotaDecision =
  | { allowed: true }
  /** `logLine` is what LOG gets, e.g. `ERROR quota: monthly limit of 1000 requests reached`. */
  | { allowed: false; logLine: string; reason: string };

/**
 * Asked before every provider call. Plans and allowances are the plans issue's; until then
 * every request is allowed. A refusal fills ON_OFF so the template stops cleanly.
 */
@Injectable()
export class QuotaGate {
  check(_installationId: string, _kind: WebhookKind, _leadId: number): Promise<QuotaDecision> {
    return Promise.resolve({ allowed: true });
  }
}
