import {
  type ExtractionCatalogResponse,
  type ExtractionProfileInput,
  type ExtractionProfileView,
  isExtractionFieldType,
} from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { FieldsService } from '../fields/fields.service';
import { type Installation } from '../installations/installation.entity';
import { AccountCatalogs } from './account-catalog';
import { ExtractionError } from './extraction-errors';
import { type ExtractionProfile } from './extraction-profile.entity';
import { ExtractionProfilesRepository } from './extraction-profiles.repository';
import { type AccountCatalog } from './extraction.types';

// Far more than an account edits by hand; bounds what one account can store.
const MAX_PROFILES = 50;

const view = (row: ExtractionProfile): ExtractionProfileView => ({
  name: row.name,
  items: row.items,
  rules: row.rules,
  updatedAt: row.updatedAt.toISOString(),
});

/** The widget's editor: profiles of the token's account, checked against its Kommo on save. */
@Injectable()
export class ExtractionProfilesService {
  constructor(
    private readonly profiles: ExtractionProfilesRepository,
    private readonly catalogs: AccountCatalogs,
    private readonly fields: FieldsService,
  ) {}

  async list(installationId: string): Promise<ExtractionProfileView[]> {
    return (await this.profiles.listOf(installationId)).map(view);
  }

  async get(installationId: string, name: string): Promise<ExtractionProfileView> {
    const row = await this.profiles.find(installationId, name);
    if (!row) throw new ExtractionError('profile_not_found', `no extraction profile "${name}"`);
    return view(row);
  }

  /** Creates or replaces; every field, stage and user must exist in the account's Kommo now. */
  async save(
    installation: Installation,
    name: string,
    input: ExtractionProfileInput,
  ): Promise<ExtractionProfileView> {
    const existing = await this.profiles.find(installation.id, name);
    if (!existing && (await this.profiles.countOf(installation.id)) >= MAX_PROFILES) {
      throw new ExtractionError(
        'too_many_profiles',
        `an account keeps at most ${MAX_PROFILES} extraction profiles; delete one first`,
      );
    }
    const catalog = await this.readCatalog(installation);
    const problems = await this.problems(installation.id, input, catalog);
    if (problems.length) {
      throw new ExtractionError('invalid_profile', problems.join('; '), problems);
    }
    await this.profiles.upsert({
      installationId: installation.id,
      name,
      items: input.items,
      rules: input.rules,
    });
    return this.get(installation.id, name);
  }

  async delete(installationId: string, name: string): Promise<void> {
    if (!(await this.profiles.delete(installationId, name))) {
      throw new ExtractionError('profile_not_found', `no extraction profile "${name}"`);
    }
  }

  /** What the editor offers: the account's lead fields, stages and users, read fresh. */
  async catalog(installation: Installation): Promise<ExtractionCatalogResponse> {
    const catalog = await this.readCatalog(installation);
    const own = await this.ownFieldIds(installation.id);
    return {
      fields: catalog.fields.map((f) => ({
        id: f.id,
        name: f.name,
        type: f.type,
        usable: isExtractionFieldType(f.type) && !own.has(f.id),
        enums: f.enums,
      })),
      pipelines: catalog.pipelines,
      users:
        catalog.users?.filter((u) => u.active).map((u) => ({ id: u.id, name: u.name })) ?? null,
    };
  }

  private async readCatalog(installation: Installation): Promise<AccountCatalog> {
    try {
      return await this.catalogs.load(installation, ['fields', 'pipelines', 'users'], true);
    } catch (error) {
      if (error instanceof KommoApiError) {
        throw new ExtractionError('kommo_unavailable', `Kommo did not answer: ${error.message}`);
      }
      throw error;
    }
  }

  private async ownFieldIds(installationId: string): Promise<Set<number>> {
    return new Set((await this.fields.activeFields(installationId)).map((f) => f.kommoFieldId));
  }

  private async problems(
    installationId: string,
    input: ExtractionProfileInput,
    catalog: AccountCatalog,
  ): Promise<string[]> {
    const own = await this.ownFieldIds(installationId);
    const problems: string[] = [];
    input.items.forEach((item, index) => {
      const field = catalog.fields.find((f) => f.id === item.fieldId);
      const at = `items.${index}.fieldId`;
      if (!field) problems.push(`${at}: the account has no lead field ${item.fieldId}`);
      else if (own.has(field.id)) problems.push(`${at}: ${field.name} is a GPT Bridge field`);
      else if (!isExtractionFieldType(field.type)) {
        problems.push(`${at}: ${field.name} is a ${field.type} field, which cannot be filled`);
      } else if (
        (field.type === 'select' || field.type === 'multiselect') &&
        !field.enums?.length
      ) {
        problems.push(`${at}: ${field.name} has no options`);
      }
    });
    input.rules.forEach((rule, r) => {
      rule.then.forEach((action, a) => {
        const at = `rules.${r}.then.${a}`;
        if (action.kind === 'move') {
          const pipeline = catalog.pipelines.find((p) => p.id === action.pipelineId);
          if (!pipeline) problems.push(`${at}.pipelineId: no pipeline ${action.pipelineId}`);
          else if (!pipeline.statuses.some((s) => s.id === action.statusId)) {
            problems.push(`${at}.statusId: ${pipeline.name} has no stage ${action.statusId}`);
          }
        }
        if (action.kind === 'task' && action.responsibleUserId !== undefined) {
          if (catalog.users === null) {
            problems.push(
              `${at}.responsibleUserId: Kommo does not let GPT Bridge list users; leave it empty for the lead's responsible user`,
            );
          } else if (!catalog.users.some((u) => u.id === action.responsibleUserId && u.active)) {
            problems.push(`${at}.responsibleUserId: no active user ${action.responsibleUserId}`);
          }
        }
      });
    });
    return problems;
  }
}
