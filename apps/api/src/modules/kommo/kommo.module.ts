import { Module } from '@nestjs/common';
import { InstallationModule } from '../installation/installation.module';
import { KommoClientFactory } from './kommo-client';
import { KommoRateModule } from './kommo-rate.module';

/** Kommo API access: clients per installation, sharing one rate budget in Redis. */
@Module({
  imports: [InstallationModule, KommoRateModule],
  providers: [KommoClientFactory],
  exports: [KommoClientFactory],
})
export class KommoModule {}
