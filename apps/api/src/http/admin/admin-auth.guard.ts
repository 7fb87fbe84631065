import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SESSION_COOKIE, parseCookies } from './admin-cookies';
import { AdminAuthService } from '../../domain/staff/admin-auth.service';
import { ADMIN_PUBLIC_KEY, ADMIN_ROLE_KEY, type AdminRequest } from './admin-role.decorator';
import { csrfAllows } from '../../domain/staff/admin-tokens';
import { type AdminRoleName } from '../../domain/staff/admin-user.types';

const RANK: Record<AdminRoleName, number> = { support: 0, admin: 1 };

/**
 * Every admin API route: a valid session cookie (else 401), the CSRF header on anything but
 * GET/HEAD (else 403), and the route's role (else 403), checked in that order.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AdminAuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const token = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    const session = await this.auth.session(token);
    if (!session) throw new UnauthorizedException('Sign in to the admin panel first.');
    if (!csrfAllows(request.method, request.headers['x-csrf-token'], session.csrfTokenHash)) {
      throw new ForbiddenException('Missing or wrong x-csrf-token header.');
    }
    const needed = this.reflector.getAllAndOverride<AdminRoleName | undefined>(
      ADMIN_ROLE_KEY,
      targets,
    );
    if (needed && RANK[session.user.role] < RANK[needed]) {
      throw new ForbiddenException(`This needs the ${needed} role.`);
    }
    request.adminSession = session;
    return true;
  }
}
