import {
  connectionNotice,
  LEAD_FIELD_KEYS,
  type WidgetFieldsCheck,
  type WidgetFieldsResponse,
  type WidgetSessionResponse,
} from '@gpt-bridge/shared';
import { Controller, ForbiddenException, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { FieldsCheck } from '../../domain/fields/fields-check';
import { FieldsService } from '../../domain/fields/fields.service';
import { InstallationJobs } from '../../domain/installations/installation-jobs';
import { WidgetAuthGuard } from '../widget-auth/widget-auth.guard';
import { WidgetSession } from '../widget-auth/widget-session.decorator';
import { type WidgetSessionData } from '../widget-auth/widget-session';

/** What the widget calls from the account page; every route acts on the token's account only. */
@Controller('widget-api')
@UseGuards(WidgetAuthGuard)
export class WidgetApiController {
  constructor(
    private readonly fields: FieldsService,
    private readonly check: FieldsCheck,
    private readonly jobs: InstallationJobs,
  ) {}

  /** The connection status the widget shows. */
  @Get('session')
  session(@WidgetSession() { installation, claims }: WidgetSessionData): WidgetSessionResponse {
    return {
      accountId: installation.kommoAccountId,
      subdomain: installation.subdomain,
      host: installation.host,
      userId: claims.userId,
      isAdmin: claims.isAdmin,
      installationStatus: installation.status,
      tokenUserIsAdmin: installation.tokenUserIsAdmin,
      connectionNotice: connectionNotice(installation.tokenUserIsAdmin),
    };
  }

  /** The active lead fields and their Kommo ids. */
  @Get('fields')
  async activeFields(
    @WidgetSession() { installation }: WidgetSessionData,
  ): Promise<WidgetFieldsResponse> {
    const fields = await this.fields.activeFields(installation.id);
    return { fields, complete: fields.length === LEAD_FIELD_KEYS.length };
  }

  /** Our fields compared with Kommo's: shows the ones a user deleted in Kommo. */
  @Get('fields/check')
  checkFields(@WidgetSession() { installation }: WidgetSessionData): Promise<WidgetFieldsCheck> {
    return this.check.check(installation);
  }

  /** "Re-provision": recreate fields deleted in Kommo. Creating fields is admin-only in Kommo too. */
  @Post('fields/provision')
  @HttpCode(202)
  async provision(@WidgetSession() { installation, claims }: WidgetSessionData) {
    if (!claims.isAdmin) {
      throw new ForbiddenException('Only an account administrator can re-create the fields');
    }
    await this.jobs.provisionFields(installation.id);
    return { queued: true };
  }
}
