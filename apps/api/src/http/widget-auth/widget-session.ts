import { type FastifyRequest } from 'fastify';
import { type Installation } from '../../domain/installations/installation.entity';

/** Who is calling: the account's installation (from our database) and the token's user. */
export type WidgetSessionData = {
  installation: Installation;
  claims: { accountId: number; userId: number; isAdmin: boolean; subdomain: string };
};

/** The request after WidgetAuthGuard let it through. */
export type WidgetRequest = FastifyRequest & { widgetSession?: WidgetSessionData };
