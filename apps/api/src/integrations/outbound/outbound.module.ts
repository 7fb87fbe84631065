import { Module } from '@nestjs/common';
import { OutboundHttp } from './outbound-http.service';

/**
 * Guarded outbound HTTP (provider base URLs, media downloads). AppConfig comes from the global
 * ConfigModule, so nothing else is imported.
 */
@Module({ providers: [OutboundHttp], exports: [OutboundHttp] })
export class OutboundModule {}
