import {
  BadRequestException,
  Controller,
  ForbiddenException,
  Get,
  Param,
  UseGuards,
} from '@nestjs/common';
import {
  type InstalledTemplate,
  TEMPLATE_KINDS,
  TemplateInstaller,
} from '../../domain/templates/template-installer.service';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';

/** The salesbot templates of the token's account, ready for the designer's import. */
@Controller('widget-api')
@UseGuards(WidgetAuthGuard)
export class WidgetTemplatesController {
  constructor(private readonly installer: TemplateInstaller) {}

  /** The JSON carries both webhook URLs (their secret tokens), so only administrators get it. */
  @Get('templates/:kind')
  template(
    @WidgetSession() { installation, claims }: WidgetSessionData,
    @Param('kind') kind: string,
  ): Promise<InstalledTemplate> {
    if (!claims.isAdmin) {
      throw new ForbiddenException('Only an account administrator can install the template');
    }
    const known = TEMPLATE_KINDS.find((candidate) => candidate === kind);
    if (!known) throw new BadRequestException('kind must be classic or widget_block');
    return this.installer.build(installation.id, known);
  }
}
