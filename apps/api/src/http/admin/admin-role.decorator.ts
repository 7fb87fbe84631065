import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { type AdminSessionData } from '../../domain/staff/admin-auth.service';
import { type AdminRoleName } from '../../domain/staff/admin-user.types';

export const ADMIN_ROLE_KEY = 'admin:role';
export const ADMIN_PUBLIC_KEY = 'admin:public';

/** The least role a route needs; without it any signed-in user (support or admin) may call. */
export const AdminRole = (role: AdminRoleName) => SetMetadata(ADMIN_ROLE_KEY, role);

/** The one route reachable without a session: sign-in. */
export const AdminPublic = () => SetMetadata(ADMIN_PUBLIC_KEY, true);

export type AdminRequest = FastifyRequest & { adminSession?: AdminSessionData };

/** The signed-in user's session, set by AdminAuthGuard. */
export const CurrentAdmin = createParamDecorator(
  (_: unknown, context: ExecutionContext): AdminSessionData => {
    const session = context.switchToHttp().getRequest<AdminRequest>().adminSession;
    if (!session) throw new Error('CurrentAdmin used on a route without AdminAuthGuard');
    return session;
  },
);
