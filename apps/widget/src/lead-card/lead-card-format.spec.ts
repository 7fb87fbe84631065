import {
  AI_REQUEST_STATUSES,
  SILENT_REASONS,
  type LeadPauseView,
  type LeadTraceItem,
} from '@gpt-bridge/shared';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, translator } from '../i18n/translate';
import {
  appendTracePage,
  costText,
  durationText,
  latencyText,
  parsePauseMinutes,
  promptNote,
  providerText,
  pausedByText,
  resumeText,
  silentReasonText,
  statusText,
  timeText,
  tokensText,
  valueText,
  webhookText,
} from './lead-card-format';

const en = translator('en');
const UTC = { timeZone: 'UTC' };
const NOW = new Date('2026-12-07T14:00:00Z');

const pause = (over: Partial<LeadPauseView> = {}): LeadPauseView => ({
  source: 'widget_button',
  userId: 7,
  userName: 'Ana Souza',
  since: '2026-12-07T13:50:00Z',
  lastHumanAt: '2026-12-07T13:50:00Z',
  resumesAt: '2026-12-07T14:25:00Z',
  ...over,
});

describe('silent reasons', () => {
  it('every reason has its own plain sentence in every language', () => {
    for (const lang of LANGUAGES) {
      const t = translator(lang);
      const texts = SILENT_REASONS.map((reason) => silentReasonText(t, reason));
      expect(new Set(texts).size, lang).toBe(SILENT_REASONS.length);
      for (const text of texts) {
        expect(text, lang).toMatch(/^\p{Lu}.{20,}\.$/u);
        expect(text, lang).not.toMatch(/[{}_]/);
      }
    }
  });

  it('names the cause, and says nothing for a request that was not silent', () => {
    expect(silentReasonText(en, 'quota')).toContain("month's request allowance is used up");
    expect(silentReasonText(en, 'superseded_by_human')).toContain('not sent to the customer');
    expect(silentReasonText(en, 'field_missing')).toContain('Re-provision fields');
    expect(silentReasonText(translator('pt'), 'paused_by_person')).toContain('pausada');
    expect(silentReasonText(translator('es'), 'cost_cap')).toContain('tope de costo');
    expect(silentReasonText(en, null)).toBeNull();
  });

  it('every request status has a word in every language', () => {
    for (const lang of LANGUAGES) {
      const t = translator(lang);
      const words = AI_REQUEST_STATUSES.map((status) => statusText(t, status));
      expect(new Set(words).size, lang).toBe(AI_REQUEST_STATUSES.length);
    }
  });
});

describe('who paused, and when the AI comes back', () => {
  it('names the person, falls back to the Kommo user id, then to "a team member"', () => {
    expect(pausedByText(en, pause({ source: 'team_message' }))).toBe('Ana Souza wrote in the chat');
    expect(pausedByText(en, pause({ userName: null }))).toBe('#7 paused it here');
    expect(pausedByText(en, pause({ userName: '  ', userId: null }))).toBe(
      'A team member paused it here',
    );
    expect(pausedByText(en, pause({ source: 'admin_panel', userId: null }))).toBe(
      'GPT Bridge support paused it',
    );
    expect(pausedByText(translator('es'), pause({ source: 'team_message' }))).toBe(
      'Ana Souza escribió en el chat',
    );
    // The person looking at the card is "you"; support's pause is never theirs.
    expect(pausedByText(en, pause({ source: 'team_message' }), 7)).toBe('You wrote in the chat');
    expect(pausedByText(translator('pt'), pause(), 7)).toBe('Você pausou aqui');
    expect(pausedByText(en, pause(), 8)).toBe('Ana Souza paused it here');
    expect(pausedByText(en, pause({ source: 'admin_panel' }), 7)).toBe(
      'GPT Bridge support paused it',
    );
  });

  it('counts the nearest minute, then hours and minutes, then days and hours', () => {
    expect(durationText(en, 1)).toBe('1 min');
    expect(durationText(en, 45 * 60_000 + 40)).toBe('45 min');
    expect(durationText(en, 45 * 60_000 - 40)).toBe('45 min');
    expect(durationText(en, 90_000)).toBe('2 min');
    expect(durationText(en, 25 * 60_000)).toBe('25 min');
    expect(durationText(en, 60 * 60_000)).toBe('1 h');
    expect(durationText(en, 125 * 60_000)).toBe('2 h 5 min');
    expect(durationText(en, 24 * 60 * 60_000)).toBe('1 d');
    expect(durationText(en, (7 * 24 + 3) * 60 * 60_000 - 30_000)).toBe('7 d 3 h');
  });

  it('says when the AI resumes by itself, or that only Resume ends the pause', () => {
    const options = { lang: 'en' as const, now: NOW, ...UTC };
    expect(resumeText(en, pause(), options)).toBe('Resumes by itself in 25 min (2:25 PM)');
    expect(resumeText(en, pause({ resumesAt: null }), options)).toBe(
      'Until someone resumes it by hand',
    );
    // The moment has passed and the next customer message finds the AI active again.
    expect(resumeText(en, pause({ resumesAt: '2026-12-07T13:59:00Z' }), options)).toBe(
      'Resumes with the next customer message',
    );
    expect(
      resumeText(translator('pt'), pause({ resumesAt: '2026-12-08T16:05:00Z' }), {
        ...options,
        lang: 'pt',
      }),
    ).toBe('Volta sozinha em 1 d 2 h (08/12/2026, 16:05)');
  });

  it('shows the time alone for today and the date for other days', () => {
    const options = { now: NOW, ...UTC };
    expect(timeText('2026-12-07T09:05:00Z', { ...options, lang: 'en' })).toBe('9:05 AM');
    expect(timeText('2026-12-06T09:05:00Z', { ...options, lang: 'en' })).toBe('12/6/26, 9:05 AM');
    expect(timeText('2026-12-06T09:05:00Z', { ...options, lang: 'es' })).toBe('6/12/26, 9:05');
    expect(timeText('not a date', { ...options, lang: 'en' })).toBe('not a date');
  });
});

describe('cost, latency, tokens', () => {
  it('keeps two significant digits below a dollar, cents above, in the language', () => {
    expect(costText(0.000423, 'en')).toBe('$0.00042');
    expect(costText(0.0125, 'en')).toBe('$0.013');
    expect(costText(0, 'en')).toBe('$0.00');
    expect(costText(3.456, 'en')).toBe('$3.46');
    expect(costText(0.000423, 'pt')).toMatch(/^US\$\s0,00042$/);
    expect(costText(0.000423, 'es')).toMatch(/^0,00042\sUS\$$/);
    expect(costText(null, 'en')).toBeNull();
    expect(costText(-1, 'en')).toBeNull();
  });

  it('shows latency in ms under a second, else seconds', () => {
    expect(latencyText(820, 'en')).toBe('820 ms');
    expect(latencyText(1430, 'en')).toBe('1.4 s');
    expect(latencyText(1430, 'pt')).toBe('1,4 s');
    expect(latencyText(12_400, 'en')).toBe('12 s');
    expect(latencyText(null, 'en')).toBeNull();
  });

  it('splits tokens into in and out when both are known', () => {
    expect(tokensText(en, { input: 1200, output: 34, total: 1234 }, 'en')).toBe(
      '1,234 tokens (1,200 in, 34 out)',
    );
    expect(tokensText(en, { input: 10, output: 5, total: null }, 'en')).toBe(
      '15 tokens (10 in, 5 out)',
    );
    expect(tokensText(en, { input: null, output: null, total: 99 }, 'en')).toBe('99 tokens');
    expect(tokensText(en, { input: null, output: null, total: null }, 'en')).toBeNull();
  });
});

describe('the rest of a trace line', () => {
  it('names the webhook and the template', () => {
    expect(webhookText(en, { kind: 'chatgpt', mode: 'classic' })).toBe(
      'ChatGPT webhook · classic template',
    );
    expect(webhookText(translator('pt'), { kind: 'assistant', mode: 'widget_block' })).toBe(
      'Webhook do Assistente · bloco GPT Bridge',
    );
  });

  it('writes extracted values on one short line', () => {
    expect(valueText('Ana')).toBe('Ana');
    expect(valueText(5000)).toBe('5000');
    expect(valueText(true)).toBe('true');
    expect(valueText(['a', 2])).toBe('a, 2');
    expect(valueText({ enum_id: 3 })).toBe('{"enum_id":3}');
    expect(valueText(null)).toBe('—');
    expect(valueText('x'.repeat(300))).toHaveLength(120);
  });

  it('takes whole minutes from 1 to a week for a pause', () => {
    expect(parsePauseMinutes('30')).toBe(30);
    expect(parsePauseMinutes(' 10080 ')).toBe(10_080);
    for (const bad of ['0', '10081', '1.5', '-3', '', 'abc', '1e3']) {
      expect(parsePauseMinutes(bad), bad).toBeNull();
    }
  });

  it('tells a prompt never sent from one whose text retention removed', () => {
    const prompt = { text: 'Hi', memoryMessages: 2, media: [] };
    expect(promptNote({ prompt, provider: 'openai' })).toBeNull();
    expect(promptNote({ prompt: null, provider: null })).toBe('tracePromptNone');
    expect(promptNote({ prompt: null, provider: 'openai' })).toBe('tracePromptRemoved');
    expect(promptNote({ prompt: { ...prompt, text: null }, provider: 'dify' })).toBe(
      'tracePromptRemoved',
    );
  });

  it('appends an older page after the shown entries, once each', () => {
    const item = (id: string) => ({ id }) as LeadTraceItem;
    const shown = { items: [item('c'), item('b')], more: true };
    const next = appendTracePage(shown, { requests: [item('b'), item('a')], more: false });
    expect(next.items.map((i) => i.id)).toEqual(['c', 'b', 'a']);
    expect(next.more).toBe(false);
  });

  it('names the provider as the owner chose it', () => {
    expect(providerText('openai_responses')).toBe('OpenAI');
    expect(providerText('openai_compatible')).toBe('OpenAI-compatible');
    expect(providerText('chatbase')).toBe('Chatbase');
    expect(providerText('toString')).toBe('toString');
    expect(providerText(null)).toBeNull();
  });
});
