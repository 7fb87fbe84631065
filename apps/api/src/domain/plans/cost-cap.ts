import { Injectable } from '@nestjs/common';
import { InstallationsRepository } from '../installations/installations.repository';
import { PlanError } from './plan-errors';

/** The cap's bounds: a cent up to a million dollars, in cents (the column is numeric(12, 2)). */
const MIN_CAP = 0.01;
const MAX_CAP = 1_000_000;

/**
 * The owner's monthly cap on the estimated AI cost. The check that refuses requests over it is
 * QuotaCheck's (domain/requests), beside the request quota it works like.
 */
@Injectable()
export class CostCap {
  constructor(private readonly installations: InstallationsRepository) {}

  /** Sets or (null) removes the cap. The route validated it already; a domain call is checked too. */
  async set(installationId: string, capUsd: number | null): Promise<void> {
    if (
      capUsd !== null &&
      !(
        Number.isFinite(capUsd) &&
        capUsd >= MIN_CAP &&
        capUsd <= MAX_CAP &&
        Math.abs(Math.round(capUsd * 100) - capUsd * 100) < 1e-6
      )
    ) {
      throw new PlanError(
        'invalid_allowance',
        'the cost cap must be 0.01 to 1,000,000 USD, in cents',
      );
    }
    if (!(await this.installations.setCostCap(installationId, capUsd))) {
      throw new PlanError('installation_not_found', 'no such installation');
    }
  }
}
