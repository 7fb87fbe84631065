import {
  type ExtractionCatalogResponse,
  type ExtractionProfileInput,
  ExtractionProfileInputSchema,
  ExtractionProfileNameSchema,
  type ExtractionProfilesResponse,
  type ExtractionProfileView,
} from '@gpt-bridge/shared';
import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ZodPipe } from '../../common/http/zod-validation.pipe';
import { ExtractionProfilesService } from '../../domain/extraction/extraction-profiles.service';
import { WidgetAdmin } from '../widget-auth/widget-admin.decorator';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';

/**
 * Extraction profiles of the token's account (issue 23): what `?extract=<name>` fills and does.
 * Administrators only: a profile writes into every lead the ChatGPT webhook answers.
 */
@Controller('widget-api/extraction')
@UseGuards(WidgetAuthGuard)
export class WidgetExtractionController {
  constructor(private readonly profiles: ExtractionProfilesService) {}

  /** The account's lead fields, stages and users, read from its Kommo for the editor. */
  @Get('catalog')
  @WidgetAdmin('read the lead fields for extraction')
  catalog(@WidgetSession() session: WidgetSessionData): Promise<ExtractionCatalogResponse> {
    return this.profiles.catalog(session.installation);
  }

  @Get('profiles')
  @WidgetAdmin('see the extraction profiles')
  async list(@WidgetSession() session: WidgetSessionData): Promise<ExtractionProfilesResponse> {
    return { profiles: await this.profiles.list(session.installation.id) };
  }

  @Get('profiles/:name')
  @WidgetAdmin('see the extraction profiles')
  get(
    @WidgetSession() session: WidgetSessionData,
    @Param('name', new ZodPipe(ExtractionProfileNameSchema)) name: string,
  ): Promise<ExtractionProfileView> {
    return this.profiles.get(session.installation.id, name);
  }

  @Put('profiles/:name')
  @WidgetAdmin('change the extraction profiles')
  save(
    @WidgetSession() session: WidgetSessionData,
    @Param('name', new ZodPipe(ExtractionProfileNameSchema)) name: string,
    @Body(new ZodPipe(ExtractionProfileInputSchema)) input: ExtractionProfileInput,
  ): Promise<ExtractionProfileView> {
    return this.profiles.save(session.installation, name, input);
  }

  @Delete('profiles/:name')
  @HttpCode(204)
  @WidgetAdmin('delete an extraction profile')
  async delete(
    @WidgetSession() session: WidgetSessionData,
    @Param('name', new ZodPipe(ExtractionProfileNameSchema)) name: string,
  ): Promise<void> {
    await this.profiles.delete(session.installation.id, name);
  }
}
