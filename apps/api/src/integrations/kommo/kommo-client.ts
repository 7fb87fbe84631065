import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import axios, { type AxiosInstance } from 'axios';
import { AppConfig } from '../../config/app-config';
import { kommoBaseUrl } from './kommo-host';
import { KommoClient } from './kommo-installation-client';
import { KommoRateLimiter } from './kommo-rate-limiter';
import { KOMMO_TOKEN_SOURCE, type KommoTarget, type KommoTokenSource } from './kommo-token-source';
import { KommoTransport } from './kommo-transport';

export { KommoClient };

export type KommoClientOptions = {
  /** Per request, default 15 s. */
  timeoutMs?: number;
  /** Longest wait for a 429's retry_after (or a paused limiter) before throwing, default 30 s. */
  maxRateLimitWaitMs?: number;
};

/** Optional provider for KommoClientOptions (tests use short timeouts). */
export const KOMMO_CLIENT_OPTIONS = Symbol('KOMMO_CLIENT_OPTIONS');

/** Makes KommoClients; owns the one HTTP connection pool they all share. */
@Injectable()
export class KommoClientFactory implements OnModuleDestroy {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly legacyBotRun = new Set<string>();

  constructor(
    private readonly config: AppConfig,
    private readonly limiter: KommoRateLimiter,
    @Inject(KOMMO_TOKEN_SOURCE) private readonly tokens: KommoTokenSource,
    @Optional() @Inject(KOMMO_CLIENT_OPTIONS) options?: KommoClientOptions,
  ) {
    this.timeoutMs = options?.timeoutMs ?? 15_000;
    this.maxRateLimitWaitMs = options?.maxRateLimitWaitMs ?? 30_000;
    this.http = axios.create({
      timeout: this.timeoutMs,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // A redirect could carry the Bearer token to another host; Kommo's API does not redirect.
      maxRedirects: 0,
      headers: { Accept: 'application/hal+json, application/json' },
    });
  }

  forInstallation(target: KommoTarget): KommoClient {
    const transport = new KommoTransport(
      {
        http: this.http,
        limiter: this.limiter,
        tokens: this.tokens,
        timeoutMs: this.timeoutMs,
        maxRateLimitWaitMs: this.maxRateLimitWaitMs,
        baseUrlOf: (host) => kommoBaseUrl(this.config.get('KOMMO_API_URL_TEMPLATE'), host),
      },
      target,
    );
    return new KommoClient(transport, this.legacyBotRun);
  }

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
