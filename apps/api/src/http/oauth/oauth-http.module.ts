import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { OAuthStateSigner } from './oauth-state';
import { InstallationModule } from '../../domain/installations/installation.module';
import { OAuthController } from './oauth.controller';

/** The API side: Kommo's redirect URI and uninstall hook. */
@Module({
  imports: [InstallationModule],
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
