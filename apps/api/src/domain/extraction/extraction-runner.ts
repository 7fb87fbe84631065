import { Injectable } from '@nestjs/common';
import { FieldsService } from '../fields/fields.service';
import { type Installation } from '../installations/installation.entity';
import { type JsonResponseFormat } from '../../integrations/ai-providers/provider.types';
import { AccountCatalogs } from './account-catalog';
import { extractionFormat, extractionInstructions } from './extraction-schema';
import { type PlanContext, planExtraction } from './extraction-plan';
import { ExtractionProfilesRepository } from './extraction-profiles.repository';
import {
  type AccountCatalog,
  type ExtractionPlan,
  type ProfileDefinition,
} from './extraction.types';

/** Everything the provider call and the plan need, read before the call. */
export type PreparedExtraction = {
  profile: ProfileDefinition;
  format: JsonResponseFormat;
  instructions: string;
  context: PlanContext;
  /** A task rule falls back to the lead's responsible user: the pipeline reads the lead then. */
  needsResponsibleUser: boolean;
};

/** Why `?extract=` cannot run: the request ends with this in LOG (class `config`). */
export type ExtractionRefusal = { refused: string };

/** Where the request came from, as far as the extraction cares. */
export type ExtractionCaller = {
  kind: 'chatgpt' | 'assistant';
  mode: 'classic' | 'widget';
  /** The assistant's provider as the account set it (named in the refusal). */
  assistantProvider: string;
};

/**
 * `?extract=<profile>` on the ChatGPT webhook: reads the profile and what the account's Kommo has
 * (fields with their options, stages, users; cached), builds the strict schema, and after the
 * answer turns its JSON into the plan the delivery writes.
 */
@Injectable()
export class ExtractionRunner {
  constructor(
    private readonly profiles: ExtractionProfilesRepository,
    private readonly catalogs: AccountCatalogs,
    private readonly fields: FieldsService,
  ) {}

  async prepare(
    installation: Installation,
    profileName: string,
    caller: ExtractionCaller,
    now: Date,
  ): Promise<PreparedExtraction | ExtractionRefusal> {
    // Only the ChatGPT webhook goes to OpenAI Chat Completions, which takes a JSON schema; the
    // Assistant's providers (Dify, Chatbase, OpenAI-compatible) have no structured outputs
    // (docs/ai-providers.md §1.11), and a widget block answers through continue, not a PATCH.
    if (caller.kind !== 'chatgpt') {
      return { refused: `extract: ${assistantRefusal(caller.assistantProvider)}` };
    }
    if (caller.mode !== 'classic') {
      return { refused: 'extract: ?extract= works with the classic webhook step only' };
    }
    const row = await this.profiles.find(installation.id, profileName);
    if (!row) {
      return {
        refused: `extract: no extraction profile "${profileName.slice(0, 40)}"; create it in the GPT Bridge widget settings`,
      };
    }
    const profile: ProfileDefinition = { name: row.name, items: row.items, rules: row.rules };
    const catalog = await this.catalogFor(installation, profile);
    const own = await this.fields.activeFields(installation.id);
    const fields = new Map(catalog.fields.map((f) => [f.id, f]));
    return {
      profile,
      format: extractionFormat(profile, fields),
      instructions: extractionInstructions(now, installation.timezone),
      needsResponsibleUser: profile.rules.some((r) =>
        r.then.some((a) => a.kind === 'task' && a.responsibleUserId === undefined),
      ),
      context: {
        catalog,
        ownFieldIds: new Set(own.map((f) => f.kommoFieldId)),
        responsibleUserId: null,
        timeZone: installation.timezone,
        now,
      },
    };
  }

  /** The model's answer as a plan, or why it is not one (no JSON object: a refusal, a cut answer). */
  plan(
    prepared: PreparedExtraction,
    answer: string,
    responsibleUserId: number | null,
  ): ExtractionPlan | ExtractionRefusal {
    let json: unknown;
    try {
      json = JSON.parse(answer);
    } catch {
      return { refused: `extract: the model answered no JSON (${answer.slice(0, 120)})` };
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return { refused: 'extract: the model answered JSON that is not an object' };
    }
    return planExtraction(prepared.profile, json as Record<string, unknown>, {
      ...prepared.context,
      responsibleUserId,
    });
  }

  /** Only the parts the profile uses; a reference the cache does not know reads Kommo again. */
  private async catalogFor(
    installation: Installation,
    profile: ProfileDefinition,
  ): Promise<AccountCatalog> {
    const actions = profile.rules.flatMap((r) => r.then);
    const parts: (keyof AccountCatalog)[] = ['fields'];
    if (actions.some((a) => a.kind === 'move')) parts.push('pipelines');
    if (actions.some((a) => a.kind === 'task')) parts.push('users');
    const cached = await this.catalogs.load(installation, parts);
    return knowsAll(cached, profile) ? cached : this.catalogs.load(installation, parts, true);
  }
}

const PROVIDER_NAMES: Record<string, string> = {
  dify: 'Dify',
  chatbase: 'Chatbase',
  openai_compatible: 'an OpenAI-compatible endpoint',
};

function assistantRefusal(provider: string): string {
  const name = PROVIDER_NAMES[provider];
  // OpenAI's Responses API could take a schema, but the Assistant webhook's answer is the
  // conversation's reply to the customer: the extraction belongs to the ChatGPT webhook.
  return name
    ? `${name} has no structured outputs; use ?extract= on the ChatGPT webhook`
    : 'the Assistant webhook answers the customer; use ?extract= on the ChatGPT webhook';
}

/** Whether every field, stage and named user of the profile is in the catalog. */
export function knowsAll(catalog: AccountCatalog, profile: ProfileDefinition): boolean {
  const fields = new Set(catalog.fields.map((f) => f.id));
  if (!profile.items.every((i) => fields.has(i.fieldId))) return false;
  return profile.rules.every((rule) =>
    rule.then.every((a) => {
      if (a.kind === 'move') {
        const pipeline = catalog.pipelines.find((p) => p.id === a.pipelineId);
        return pipeline?.statuses.some((s) => s.id === a.statusId) ?? false;
      }
      if (a.kind === 'task' && a.responsibleUserId !== undefined && catalog.users) {
        return catalog.users.some((u) => u.id === a.responsibleUserId);
      }
      return true;
    }),
  );
}
