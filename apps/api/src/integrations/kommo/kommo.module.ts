import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { KommoClientFactory } from './kommo-client';
import { KommoRateLimiter } from './kommo-rate-limiter';
import { KOMMO_TOKEN_SOURCE, type KommoTokenSource } from './kommo-token-source';

/**
 * Kommo API access: clients per installation, sharing one rate budget in Redis. Registered once, by
 * the root module, which also says where access tokens come from; so this integration imports no
 * domain module, and every module gets its clients without importing it.
 */
@Module({})
export class KommoModule {
  static forRoot(tokens: {
    imports: NonNullable<ModuleMetadata['imports']>;
    source: Type<KommoTokenSource>;
  }): DynamicModule {
    return {
      module: KommoModule,
      global: true,
      imports: tokens.imports,
      providers: [
        KommoRateLimiter,
        KommoClientFactory,
        { provide: KOMMO_TOKEN_SOURCE, useExisting: tokens.source },
      ],
      exports: [KommoRateLimiter, KommoClientFactory],
    };
  }
}
