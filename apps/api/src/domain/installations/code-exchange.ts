import { Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box';
import { type ExchangeCodeData } from '../../queues/job-catalogue';
import { CODE_CONTEXT, InstallationJobs } from './installation-jobs';
import { InstallationService } from './installation.service';

/** The install call's code, exchanged in the worker (Kommo's call is answered at once). */
@Injectable()
export class CodeExchange {
  constructor(
    private readonly box: SecretBox,
    private readonly installations: InstallationService,
    private readonly jobs: InstallationJobs,
  ) {}

  /** Throws OAuthRejectedError when Kommo refuses the code (retrying cannot help then). */
  async exchange(data: ExchangeCodeData): Promise<{ installationId: string }> {
    const { codeEnc, host, subdomain } = data;
    const code = this.box.decrypt(codeEnc, CODE_CONTEXT);
    const { installation, token } = await this.installations.completeInstall(
      { host, subdomain },
      code,
    );
    // Creating fields is admin-only in Kommo: a non-admin's token would only collect 403s.
    if (token === 'stored' && installation.tokenUserIsAdmin !== false) {
      await this.jobs.provisionFields(installation.id);
    }
    // Subscribing is admin-only too, but a non-admin's refusal is what the widget must show
    // (variant D, docs/kommo-contract.md §8.4), so it is tried with whatever token was stored.
    if (token === 'stored') await this.jobs.subscribeChatEvents(installation.id);
    return { installationId: installation.id };
  }
}
