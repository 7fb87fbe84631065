import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import {
  type InstalledTemplate,
  TEMPLATE_KINDS,
  type TemplateKind,
  TemplateInstaller,
} from '../../domain/templates/template-installer.service';
import { WidgetAdmin } from '../widget-auth/widget-admin.decorator';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';

/** The `:kind` of a template route. */
export const TemplateKindSchema = z.enum(TEMPLATE_KINDS, {
  error: 'must be classic or widget_block',
});

/**
 * `?burstWindow=true`: the widget-block template with the short window that makes a burst of
 * messages one question (one step to add by hand; docs/kommo-contract.md §5.6).
 */
export const TemplateQuerySchema = z.object({
  burstWindow: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .transform((value) => value === 'true' || value === '1'),
});

/** The salesbot templates of the token's account, ready for the designer's import. */
@Controller('widget-api')
@UseGuards(WidgetAuthGuard)
export class WidgetTemplatesController {
  constructor(private readonly installer: TemplateInstaller) {}

  /** The JSON carries both webhook URLs (their secret tokens), so only administrators get it. */
  @Get('templates/:kind')
  @WidgetAdmin('install the template')
  template(
    @WidgetSession() { installation }: WidgetSessionData,
    @Param('kind', new ZodPipe(TemplateKindSchema)) kind: TemplateKind,
    @Query(new ZodPipe(TemplateQuerySchema)) query: z.output<typeof TemplateQuerySchema>,
  ): Promise<InstalledTemplate> {
    return this.installer.build(installation.id, kind, { burstWindow: query.burstWindow });
  }
}
