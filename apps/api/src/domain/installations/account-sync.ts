import { Injectable } from '@nestjs/common';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { accountLanguage } from './account-language';
import { accountTimeZone } from '../../integrations/kommo/account-time-zone';
import { InstallationsRepository } from './installations.repository';

/** Keeps an installation's subdomain, host, language and time zone in step with Kommo. */
@Injectable()
export class AccountSync {
  constructor(
    private readonly installations: InstallationsRepository,
    private readonly kommo: KommoClientFactory,
  ) {}

  async sync(installationId: string): Promise<{ subdomain: string; changed: boolean }> {
    const installation = await this.installations.findByIdOrFail(installationId);
    const account = await this.kommo
      .forInstallation({
        installationId,
        host: installation.host,
        subdomain: installation.subdomain,
      })
      .getAccount();
    // A renamed account keeps its domain (kommo.com / amocrm.ru); only the first label changes.
    const host = `${account.subdomain}${installation.host.slice(installation.subdomain.length)}`;
    const language = accountLanguage(account.language, installation.language);
    const timezone = accountTimeZone(account.timezone, installation.timezone);
    const changed =
      host !== installation.host ||
      account.subdomain !== installation.subdomain ||
      language !== installation.language ||
      timezone !== installation.timezone;
    if (changed) {
      await this.installations.updateAccount(installationId, {
        subdomain: account.subdomain,
        host,
        language,
        timezone,
      });
    }
    return { subdomain: account.subdomain, changed };
  }
}
