import {
  type HandAddedStep,
  LEAD_FIELD_KEYS,
  type LeadFieldKey,
  leadFieldName,
} from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { FieldsService } from '../fields/fields.service';
import { InstallationsRepository } from '../installations/installations.repository';
import { WebhookTokens } from '../installations/webhook-tokens.service';
import {
  type BotJson,
  type BotOutlineEntry,
  type BuiltBot,
  botProblems,
  MAX_BOT_JSON_BYTES,
} from './bot-json';
import { buildClassicTemplate, CLASSIC_TIMING } from './classic-template';
import { TemplateError, TemplateFieldsMissing } from './template-errors';
import { handAddedSteps } from './hand-added';
import { templateLanguage, type TemplateLanguage } from './template-texts';
import { buildWidgetBlockTemplate, WIDGET_BLOCK_FIELDS } from './widget-block-template';

export const TEMPLATE_KINDS = ['classic', 'widget_block'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

/** What the installer hands the widget: the JSON for the designer's import and how to use it. */
export type InstalledTemplate = {
  kind: TemplateKind;
  bot: BotJson;
  /** `bot` as Kommo's import takes it (checked to be at most 64 KB). */
  json: string;
  bytes: number;
  /** What the user does with it, in order. */
  steps: string[];
  /** Our fields that are not active; the template refuses to build when it needs one of them. */
  missingFields: LeadFieldKey[];
  /** Each step's number and its part of the documented flow. */
  outline: BotOutlineEntry[];
  /**
   * Steps with a designer step that has no documented JSON ("Send webhook", "Pause", a wait with
   * a time limit): the user adds these by hand (docs/kommo-contract.md §5.4). Empty for the
   * widget-block template, which uses documented handlers only, unless it was built with the
   * burst window (that one step).
   */
  handAdded: HandAddedStep[];
  /** The widget-block template: documented handlers only, no polling. */
  recommended: boolean;
};

const REQUIRED_FIELDS: Record<TemplateKind, readonly LeadFieldKey[]> = {
  classic: LEAD_FIELD_KEYS,
  widget_block: WIDGET_BLOCK_FIELDS,
};

/**
 * Builds a salesbot template for one installation: its field ids and webhook URLs filled in.
 * Kommo has no API that creates salesbots (docs/kommo-contract.md §5.5), so the result is the JSON
 * for the designer's import plus a short step list.
 */
@Injectable()
export class TemplateInstaller {
  constructor(
    private readonly fields: FieldsService,
    private readonly webhooks: WebhookTokens,
    private readonly installations: InstallationsRepository,
  ) {}

  /**
   * `burstWindow` (widget-block only): add the short window that collects a burst of messages into
   * one question (one step to add by hand); the classic template always has it.
   */
  async build(
    installationId: string,
    kind: TemplateKind,
    options: { burstWindow?: boolean } = {},
  ): Promise<InstalledTemplate> {
    const installation = await this.installations.findById(installationId);
    if (!installation) throw new TemplateError('installation_not_found', 'installation not found');
    const active = await this.fields.activeFields(installationId);
    const ids: Partial<Record<LeadFieldKey, number>> = Object.fromEntries(
      active.map((field) => [field.key, field.kommoFieldId]),
    );
    const missingFields = LEAD_FIELD_KEYS.filter((key) => ids[key] === undefined);
    const blocking = missingFields.filter((key) => REQUIRED_FIELDS[kind].includes(key));
    if (blocking.length > 0) {
      throw new TemplateFieldsMissing(
        blocking,
        `the template needs the fields ${blocking.join(', ')}; re-provision the fields in the widget settings, then install the template again`,
      );
    }
    const urls = await this.webhooks.urls(installationId);
    const url = (of: 'chatgpt' | 'assistant') => {
      const found = urls.find((entry) => entry.kind === of);
      if (!found) throw new Error(`installation ${installationId} has no ${of} webhook`);
      return kind === 'classic' ? found.handlerUrl : found.widgetRequestUrl;
    };
    const language = templateLanguage(installation.language);
    const fieldIds = ids as Record<LeadFieldKey, number>;
    const built: BuiltBot =
      kind === 'classic'
        ? buildClassicTemplate({
            fieldIds,
            chatgptUrl: url('chatgpt'),
            assistantUrl: url('assistant'),
            language,
          })
        : buildWidgetBlockTemplate({
            fieldIds,
            chatgptUrl: url('chatgpt'),
            assistantUrl: url('assistant'),
            language,
            burstWindow: options.burstWindow === true,
          });
    return checkedTemplate(kind, built, { fieldIds, language, missingFields });
  }
}

/** Checks the script (shape and size) and adds the user's step list. */
export function checkedTemplate(
  kind: TemplateKind,
  built: BuiltBot,
  context: {
    fieldIds: Partial<Record<LeadFieldKey, number>>;
    language: TemplateLanguage;
    missingFields: LeadFieldKey[];
  },
): InstalledTemplate {
  const problems = botProblems(built.bot);
  if (problems.length > 0) {
    throw new Error(`the ${kind} template is broken: ${problems.join('; ')}`);
  }
  const json = JSON.stringify(built.bot);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_BOT_JSON_BYTES) {
    throw new Error(`the ${kind} template is ${bytes} bytes; Kommo takes at most 64 KB`);
  }
  const handAdded = handAddedSteps(built.bot);
  return {
    kind,
    bot: built.bot,
    json,
    bytes,
    steps: stepList(kind, built.outline, context.fieldIds, context.language, handAdded),
    missingFields: context.missingFields,
    outline: built.outline,
    handAdded,
    recommended: kind === 'widget_block',
  };
}

function stepList(
  kind: TemplateKind,
  outline: BotOutlineEntry[],
  fieldIds: Partial<Record<LeadFieldKey, number>>,
  language: TemplateLanguage,
  handAdded: HandAddedStep[],
): string[] {
  const numbers = (match: (name: string) => boolean) =>
    ranges(outline.filter((entry) => match(entry.name)).map((entry) => entry.step));
  const used = REQUIRED_FIELDS[kind]
    .map((key) => `"${leadFieldName(key, language)}" (id ${fieldIds[key]})`)
    .join(', ');
  const common = [
    'In Kommo go to Settings → Communication tools → Salesbots and create a new bot (or open one).',
    'Open "View source" (import), paste the JSON and save.',
    `The bot uses these GPT Bridge lead fields: ${used}. If you re-provision the fields or rotate a webhook URL, install the template again.`,
  ];
  const finishing = [
    'Start the bot on incoming messages (Leads → Automate → the stage → Salesbot) in the stages where GPT Bridge should answer.',
    `To hand a lead back to the bot after a person took over or the bot gave up, clear "${leadFieldName('ON_OFF', language)}" and remove the tag "OpenAI ERROR".`,
    'Test it: write to the lead from a messenger and watch the lead card.',
  ];
  if (kind === 'classic') {
    return [
      'The recommended template is the one with the GPT Bridge block: it uses documented salesbot steps only, and nothing has to be added by hand.',
      ...common,
      `Steps ${ranges(handAdded.map((entry) => entry.step))} hold designer steps Kommo publishes no JSON for ("Send webhook", "Pause", a wait for an answer with a time limit): the ${CLASSIC_TIMING.chatgptPollSeconds} s and ${CLASSIC_TIMING.assistantPollSeconds} s wait loops (waits for a message with a time limit, so a message that comes while the AI answers is asked again), the ${CLASSIC_TIMING.retryPauseSeconds} s retry pause and the ${CLASSIC_TIMING.burstWindowSeconds} s message window. After the import, open each and add that step by hand where the designer does not show it, as the list "Add by hand" says (the webhook URL, the pause length, the time limit).`,
      ...finishing,
    ];
  }
  return [
    'Install the GPT Bridge widget first: the template runs through its salesbot block (Kommo Advanced plan or higher).',
    ...common,
    `Steps ${numbers((n) => ['intent', 'image', 'assistant', 'intent-retry', 'assistant-retry'].includes(n))} call GPT Bridge with widget_request. Kommo runs widget_request only from a widget block: if the designer shows these steps as code, replace each with the GPT Bridge block and keep its data (prompt, next_step); the step after each one branches on {{json.status}}.`,
    handAdded.length === 0
      ? 'Every step is a documented salesbot step: nothing to add by hand, and no pauses. Each message is answered the moment the answer exists (there is no window collecting further messages, which would need a timed wait).'
      : `Step ${ranges(handAdded.map((entry) => entry.step))} is the ${CLASSIC_TIMING.burstWindowSeconds} s window that collects a burst of messages into one question: a wait for an answer with a time limit, which Kommo publishes no JSON for. After the import, add it by hand as the list "Add by hand" says (the time limit and its two targets). Every other step is documented.`,
    ...finishing,
  ];
}

/** `[3, 4, 5, 9]` → `3-5, 9`: the wait loops are long runs of steps. */
export function ranges(steps: number[]): string {
  const sorted = [...steps].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j += 1;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
