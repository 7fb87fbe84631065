import { describeProblem, parseBotScript, strictProblems } from '@gpt-bridge/kommo-sandbox';
import { LEAD_FIELD_KEYS, type LeadFieldKey, leadFieldCode } from '@gpt-bridge/shared';
import { describe, expect, it } from 'vitest';
import { type FieldsService } from '../fields/fields.service';
import { TemplateFieldsMissing } from './template-errors';
import { type Installation } from '../installations/installation.entity';
import { type InstallationsRepository } from '../installations/installations.repository';
import { type WebhookTokens } from '../installations/webhook-tokens.service';
import { ranges, TemplateInstaller } from './template-installer.service';

const INSTALLATION = 'inst-1';

function installer(options: { missing?: LeadFieldKey[]; language?: string } = {}) {
  const fields = {
    activeFields: (id: string) =>
      Promise.resolve(
        id !== INSTALLATION
          ? []
          : LEAD_FIELD_KEYS.filter((key) => !options.missing?.includes(key)).map((key, i) => ({
              key,
              kommoFieldId: 500 + LEAD_FIELD_KEYS.indexOf(key),
              code: leadFieldCode(key),
              name: key,
              type: i < 2 ? 'textarea' : 'text',
            })),
      ),
  } as unknown as FieldsService;
  const webhooks = {
    urls: () =>
      Promise.resolve(
        (['chatgpt', 'assistant'] as const).map((kind) => ({
          kind,
          handlerUrl: `https://bridge.test/${kind}-token/handler`,
          widgetRequestUrl: `https://bridge.test/${kind}-token/widget-request`,
          createdAt: new Date(),
          rotatedAt: null,
        })),
      ),
  } as unknown as WebhookTokens;
  const installations = {
    findById: (id: string) =>
      Promise.resolve(
        id === INSTALLATION ? ({ id, language: options.language ?? 'en' } as Installation) : null,
      ),
  } as unknown as InstallationsRepository;
  return new TemplateInstaller(fields, webhooks, installations);
}

describe('TemplateInstaller', () => {
  it('fills the classic template with the installation field ids and handler URLs', async () => {
    const result = await installer().build(INSTALLATION, 'classic');
    expect(result.kind).toBe('classic');
    expect(result.missingFields).toEqual([]);
    expect(JSON.parse(result.json)).toEqual(result.bot);
    expect(result.bytes).toBe(Buffer.byteLength(result.json));
    expect(result.bytes).toBeLessThanOrEqual(64 * 1024);
    for (const id of [500, 501, 502, 503, 504, 505]) expect(result.json).toContain(String(id));
    expect(result.json).toContain('"https://bridge.test/chatgpt-token/handler"');
    expect(result.json).not.toContain('model=');
    expect(result.json).toContain('https://bridge.test/assistant-token/handler');
    expect(result.json).not.toContain('widget-request');
    expect(result.steps.length).toBeGreaterThanOrEqual(5);
    expect(result.steps.join('\n')).toContain('View source');
    expect(result.steps.join('\n')).toContain('"GPT Bridge | Message" (id 500)');
    expect(result.outline[0]).toMatchObject({ step: 0, name: 'start' });
  });

  it('fills the widget-block template with the widget_request URLs', async () => {
    const result = await installer({ language: 'es' }).build(INSTALLATION, 'widget_block');
    expect(result.json).toContain('https://bridge.test/chatgpt-token/widget-request');
    expect(result.json).toContain('https://bridge.test/assistant-token/widget-request');
    expect(result.json).not.toContain('/handler');
    expect(result.json).toContain('Un momento, por favor.');
    expect(result.steps.join('\n')).toContain('GPT Bridge block');
  });

  it('refuses with the missing fields when the template needs them', async () => {
    const error = await installer({ missing: ['ANSWER_RECEIVED', 'LOG'] })
      .build(INSTALLATION, 'classic')
      .catch((e: unknown) => e);
    // `fields_missing` is answered 409 (TEMPLATE_ERRORS; the filter's spec checks the status).
    expect(error).toBeInstanceOf(TemplateFieldsMissing);
    expect(error).toMatchObject({
      code: 'fields_missing',
      missingFields: ['ANSWER_RECEIVED', 'LOG'],
      message: expect.stringContaining('re-provision') as unknown,
    });
  });

  it('builds the widget-block template without the fields it does not use, and says which are missing', async () => {
    const result = await installer({ missing: ['ANSWER', 'LOG'] }).build(
      INSTALLATION,
      'widget_block',
    );
    expect(result.missingFields).toEqual(['ANSWER', 'LOG']);
    await expect(
      installer({ missing: ['MESSAGE'] }).build(INSTALLATION, 'widget_block'),
    ).rejects.toMatchObject({ code: 'fields_missing' });
  });

  it('answers 404 for an unknown installation', async () => {
    await expect(installer().build('nope', 'classic')).rejects.toMatchObject({
      code: 'installation_not_found',
      category: 'not_found',
    });
  });

  it('writes step numbers as ranges', () => {
    expect(ranges([9, 3, 4, 5, 11, 12])).toBe('3-5, 9, 11-12');
    expect(ranges([])).toBe('');
  });
});

// Issue 18, acceptance 4: every bot JSON we ship imports as Kommo documents it, or the installer
// lists the steps to add by hand. Checked with the sandbox engine's strict mode (§5.4).
describe("every template we ship, in the salesbot engine's strict mode", () => {
  for (const language of ['en', 'pt', 'es']) {
    it(`the widget-block template (${language}) uses documented handlers only`, async () => {
      const result = await installer({ language }).build(INSTALLATION, 'widget_block');
      expect(result.recommended).toBe(true);
      expect(result.handAdded).toEqual([]);
      expect(strictProblems(parseBotScript(result.json)).map(describeProblem)).toEqual([]);
    });

    it(`the classic template (${language}): strict mode refuses only the steps listed to add by hand`, async () => {
      const result = await installer({ language }).build(INSTALLATION, 'classic');
      expect(result.recommended).toBe(false);
      const script = parseBotScript(result.json);
      const listed = result.handAdded.map((entry) => entry.step);
      const refused = strictProblems(script).map((p) => Number(/^step (\d+)\./.exec(p.where)?.[1]));
      expect(refused).not.toContain(Number.NaN);
      expect([...new Set(refused)].sort((a, b) => a - b)).toEqual([...new Set(listed)]);
      // Accepted once those steps count as added by hand in the designer.
      expect(strictProblems(script, listed).map(describeProblem)).toEqual([]);
    });
  }

  it('the widget-block template with the burst window: one step to add by hand, the rest documented', async () => {
    const result = await installer().build(INSTALLATION, 'widget_block', { burstWindow: true });
    const step = (name: string) => result.outline.find((e) => e.name === name)?.step;
    expect(result.handAdded).toEqual([
      {
        step: step('window'),
        kind: 'timed_wait',
        seconds: 3,
        onMessageStep: step('append'),
        onTimeoutStep: step('intent'),
      },
    ]);
    const script = parseBotScript(result.json);
    expect(strictProblems(script, [step('window') ?? -1]).map(describeProblem)).toEqual([]);
    expect(result.steps.join('\n')).toContain(`Step ${step('window')} is the 3 s window`);
  });

  it('lists what goes into each hand-added classic step: URL, pause length, time limit', async () => {
    const result = await installer().build(INSTALLATION, 'classic');
    const of = (kind: string) => result.handAdded.filter((entry) => entry.kind === kind);
    expect(of('webhook').map((e) => (e.kind === 'webhook' ? e.url : ''))).toEqual([
      'https://bridge.test/chatgpt-token/handler',
      'https://bridge.test/assistant-token/handler',
      'https://bridge.test/chatgpt-token/handler',
      'https://bridge.test/assistant-token/handler',
    ]);
    const seconds = of('pause').map((e) => (e.kind === 'pause' ? e.seconds : 0));
    expect([...new Set(seconds)]).toEqual([45]);
    const window = result.outline.find((e) => e.name === 'window')?.step;
    const step = (name: string) => result.outline.find((e) => e.name === name)?.step;
    const timed = of('timed_wait');
    expect(timed[0]).toEqual({
      step: window,
      kind: 'timed_wait',
      seconds: 3,
      onMessageStep: step('append'),
      onTimeoutStep: step('intent'),
    });
    // The wait loops listen too: 12 + 9 polls per stage and its retry, each to `append`.
    expect(timed).toHaveLength(1 + 2 * (12 + 9));
    expect(new Set(timed.map((e) => (e.kind === 'timed_wait' ? e.onMessageStep : 0)))).toEqual(
      new Set([step('append')]),
    );
    expect(
      [...new Set(timed.slice(1).map((e) => (e.kind === 'timed_wait' ? e.seconds : 0)))].sort(
        (a, b) => a - b,
      ),
    ).toEqual([5, 10]);
    expect(result.steps.join('\n')).toContain(
      `Steps ${ranges(result.handAdded.map((e) => e.step))}`,
    );
    expect(result.steps[0]).toContain('recommended');
  });
});
