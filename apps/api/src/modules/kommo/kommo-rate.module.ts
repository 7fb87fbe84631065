import { Module } from '@nestjs/common';
import { KommoRateLimiter } from './kommo-rate-limiter';

/** The per-installation request budget, shared by API calls and token refreshes. */
@Module({ providers: [KommoRateLimiter], exports: [KommoRateLimiter] })
export class KommoRateModule {}
