import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { OAuthStateSigner } from './oauth-state';
import { HandoffModule } from '../../domain/handoff/handoff.module';
import { InstallationModule } from '../../domain/installations/installation.module';
import { OAuthController } from './oauth.controller';

/** The API side: Kommo's redirect URI and uninstall hook. */
@Module({
  imports: [InstallationModule, HandoffModule],
  controllers: [OAuthController],
  providers: [
    {
      provide: OAuthStateSigner,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new OAuthStateSigner(config.get('ENCRYPTION_KEYS')),
    },
  ],
})
export class OAuthHttpModule {}
