import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ClientBudget, OverClientBudget } from '../../common/http/client-budget';
import { AppConfig } from '../../config/app-config';
import { InstallationsRepository } from '../../domain/installations/installations.repository';
import { redirectUriOf } from '../../integrations/kommo/redirect-uri';
import { audienceOf, verifyWidgetToken } from '../../integrations/kommo/verify-widget-token';
import { WidgetAdminRights } from '../../domain/installations/widget-admin-rights';
import { type WidgetRequest } from './widget-session';

// One answer for every refusal, so a caller cannot probe which check failed.
const INVALID_TOKEN = 'invalid X-Auth-Token';

/**
 * Authenticates the widget's calls by Kommo's X-Auth-Token and scopes them to the token's account:
 * routes read the account from @WidgetSession(), never from the URL or body.
 */
@Injectable()
export class WidgetAuthGuard implements CanActivate {
  private readonly logger = new Logger(WidgetAuthGuard.name);

  constructor(
    private readonly config: AppConfig,
    private readonly installations: InstallationsRepository,
    private readonly adminRights: WidgetAdminRights,
    private readonly clientBudget: ClientBudget,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WidgetRequest>();
    const secret = this.config.get('KOMMO_CLIENT_SECRET');
    const clientId = this.config.get('KOMMO_CLIENT_ID');
    if (!secret || !clientId) {
      throw new ServiceUnavailableException(
        'Kommo integration is not configured: set KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET.',
      );
    }

    const token = request.headers['x-auth-token'];
    if (typeof token !== 'string' || token === '') {
      return await this.refuse(request.ip, 'missing_token');
    }
    const result = verifyWidgetToken(token, {
      secret,
      clientId,
      audience: audienceOf(redirectUriOf(this.config)),
    });
    if (!result.ok) return await this.refuse(request.ip, result.reason);
    const { claims } = result;

    const installation = await this.installations.findByKommoAccount(claims.accountId);
    if (!installation) return await this.refuse(request.ip, 'no_installation', claims.accountId);
    // The signature proves Kommo issued the token, but account_id alone could name another
    // account; iss and subdomain must agree with what we stored for that id.
    if (
      claims.iss !== `https://${installation.host}` ||
      claims.subdomain !== installation.subdomain
    ) {
      return await this.refuse(request.ip, 'account_mismatch', claims.accountId);
    }
    if (installation.status === 'disabled') {
      throw new ForbiddenException(
        'The integration is disabled for this Kommo account; install it again from Kommo to use the widget.',
      );
    }

    // Kommo's documented token has no is_admin: then the users API says (widget-admin-rights.ts).
    const isAdmin = claims.isAdmin ?? (await this.adminRights.isAdmin(installation, claims.userId));
    request.widgetSession = {
      installation,
      claims: {
        accountId: claims.accountId,
        userId: claims.userId,
        isAdmin,
        subdomain: claims.subdomain,
      },
    };
    return true;
  }

  // The reason goes to the log (never the token); the caller gets the generic 401, or a 429 once
  // the address's refusals are over its budget (valid tokens are never counted).
  private async refuse(address: string, reason: string, accountId?: number): Promise<never> {
    const retryAfterSec = await this.clientBudget.take('widget-api-refusals', address);
    if (retryAfterSec !== null) throw new OverClientBudget(retryAfterSec);
    this.logger.warn({ reason, accountId }, 'widget call refused');
    throw new UnauthorizedException(INVALID_TOKEN);
  }
}
