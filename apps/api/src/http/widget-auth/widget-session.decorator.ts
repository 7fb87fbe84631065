import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type WidgetRequest, type WidgetSessionData } from './widget-session';

/** The caller's session, set by WidgetAuthGuard; the only source of the account a route acts on. */
export const WidgetSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): WidgetSessionData => {
    const session = context.switchToHttp().getRequest<WidgetRequest>().widgetSession;
    // A route without the guard is a programming error, not a caller's one: fail loudly (500).
    if (!session) throw new Error('@WidgetSession() used on a route without WidgetAuthGuard');
    return session;
  },
);
