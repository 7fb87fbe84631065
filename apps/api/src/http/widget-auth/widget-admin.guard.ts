import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type WidgetRequest } from './widget-session';

/** Metadata set by @WidgetAdmin(): what the route does, as the 403's message says it. */
export const WIDGET_ADMIN_KEY = 'widget:admin';

/**
 * Lets an account administrator through, else 403 "Only an account administrator can <what>".
 * Runs after WidgetAuthGuard (a class's guards run before a method's), which set the session.
 */
@Injectable()
export class WidgetAdminGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const what = this.reflector.get<string | undefined>(WIDGET_ADMIN_KEY, context.getHandler());
    // A route without the metadata or without the session is a programming error (500).
    if (what === undefined) throw new Error('WidgetAdminGuard used without @WidgetAdmin()');
    const session = context.switchToHttp().getRequest<WidgetRequest>().widgetSession;
    if (!session) throw new Error('@WidgetAdmin() used on a route without WidgetAuthGuard');
    if (!session.claims.isAdmin) {
      throw new ForbiddenException(`Only an account administrator can ${what}`);
    }
    return true;
  }
}
