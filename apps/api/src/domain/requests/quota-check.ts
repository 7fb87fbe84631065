import { Injectable } from '@nestjs/common';
import { costCapLogLine } from '../plans/cost-cap-messages';
import { costCapReached, UsageService } from '../plans/usage.service';
import { RequestQuotaRepository } from './request-quota.repository';

export type QuotaDecision =
  | { allowed: true }
  /** `logLine` is what LOG gets, e.g. `ERROR quota: monthly limit of 1000 requests reached`. */
  | { allowed: false; logLine: string; reason: 'monthly' | 'lead_daily' | 'cost_cap' };

/** `language`: the account's, for the cost cap's LOG line. */
export type QuotaSubject = { id: string; installationId: string; leadId: number; language: string };

/**
 * The plan's allowance and the owner's cost cap, enforced before every provider call. A request that passes holds its
 * place (`quota_passed`) until it is counted or fails, and the check runs under a per-account
 * lock, so concurrent requests cannot overshoot the allowance. (The 80 %/95 % notes after a
 * request was counted are QuotaGate's, in plans.)
 */
@Injectable()
export class QuotaCheck {
  constructor(
    private readonly requests: RequestQuotaRepository,
    private readonly usage: UsageService,
  ) {}

  async check(request: QuotaSubject, at: Date): Promise<QuotaDecision> {
    return this.requests.underLock(request.installationId, async (manager) => {
      const allowance = await this.usage.allowance(request.installationId, at, manager);
      const counted = await this.usage.used(
        request.installationId,
        allowance.monthStart,
        allowance.nextMonthStart,
        manager,
      );
      const inFlight = await this.requests.inFlight(manager, request);
      if (counted + inFlight.all >= allowance.monthlyRequests) {
        return {
          allowed: false,
          reason: 'monthly',
          logLine: `ERROR quota: monthly limit of ${allowance.monthlyRequests} requests reached (plan ${allowance.planName}); it resets on ${allowance.nextMonthStart}`,
        };
      }
      const costCap = allowance.costCapUsd;
      if (costCap !== null) {
        // Counted requests plus answered ones not yet counted: a request still asking its
        // provider has no cost yet, so concurrent requests can pass the cap by their own costs.
        const cost =
          (await this.usage.cost(
            request.installationId,
            allowance.monthStart,
            allowance.nextMonthStart,
            manager,
          )) + inFlight.costUsd;
        if (costCapReached(costCap, cost)) {
          return {
            allowed: false,
            reason: 'cost_cap',
            logLine: costCapLogLine(request.language, {
              capUsd: costCap,
              costUsd: cost,
              resetsOn: allowance.nextMonthStart,
            }),
          };
        }
      }
      const cap = allowance.leadDailyCap;
      if (cap !== null) {
        const today = await this.requests.countedOn(
          manager,
          request.installationId,
          request.leadId,
          allowance.today,
        );
        if (today + inFlight.lead >= cap) {
          return {
            allowed: false,
            reason: 'lead_daily',
            logLine: `ERROR quota: this lead reached its daily limit of ${cap} requests; it resets tomorrow`,
          };
        }
      }
      await this.requests.markPassed(manager, request.id);
      return { allowed: true };
    });
  }
}
