import { Module } from '@nestjs/common';
import { InstallationModule } from './installation.module';
import { OAuthController } from './oauth.controller';

/** The API side: Kommo's redirect URI and uninstall hook. */
@Module({ imports: [InstallationModule], controllers: [OAuthController] })
export class InstallationHttpModule {}
