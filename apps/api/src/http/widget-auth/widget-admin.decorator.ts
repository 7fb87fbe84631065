import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { WIDGET_ADMIN_KEY, WidgetAdminGuard } from './widget-admin.guard';

/**
 * The route is for account administrators only (403 otherwise). `what` completes the refusal:
 * `@WidgetAdmin('rotate a webhook URL')` answers "Only an account administrator can rotate a
 * webhook URL". Put it on a method of a controller guarded by WidgetAuthGuard.
 */
export const WidgetAdmin = (what: string) =>
  applyDecorators(SetMetadata(WIDGET_ADMIN_KEY, what), UseGuards(WidgetAdminGuard));
