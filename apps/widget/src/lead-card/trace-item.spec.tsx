import { type LeadTraceItem } from '@gpt-bridge/shared';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { translator, type Language } from '../i18n/translate';
import { type ApiClient } from '../lib/api-client';
import { PanelContext } from '../panel/panel-context';
import { LeadCardContext } from './lead-card-context';
import { TraceItem } from './trace-item';

const item = (over: Partial<LeadTraceItem> = {}): LeadTraceItem => ({
  id: 'r1',
  receivedAt: '2026-12-07T14:00:00Z',
  kind: 'chatgpt',
  mode: 'classic',
  status: 'done',
  prompt: { text: 'Classify: do you ship to Lisbon?', memoryMessages: 4, media: ['image'] },
  answer: 'Intent: #Shipping',
  extraction: null,
  provider: 'openai_chat',
  model: 'gpt-4o-mini',
  latencyMs: 820,
  tokens: { input: 120, output: 8, total: 128 },
  costUsd: 0.0000228,
  silentReason: null,
  errorClass: null,
  errorMessage: null,
  ...over,
});

/** The item as the panel draws it, as text (tags dropped, entities read). */
function draw(trace: LeadTraceItem, lang: Language = 'en'): string {
  const html = renderToStaticMarkup(
    <PanelContext.Provider value={{ api: {} as ApiClient, t: translator(lang) }}>
      <LeadCardContext.Provider value={{ leadId: 1, lang, viewerId: null }}>
        <TraceItem item={trace} now={new Date('2026-12-07T15:00:00Z')} />
      </LeadCardContext.Provider>
    </PanelContext.Provider>,
  );
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('a trace entry', () => {
  it('shows the webhook, answer, prompt as sent, provider, model, latency, tokens and cost', () => {
    const text = draw(item());
    expect(text).toContain('ChatGPT webhook · classic template');
    expect(text).toContain('delivered');
    expect(text).toContain('Intent: #Shipping');
    expect(text).toContain('Classify: do you ship to Lisbon?');
    expect(text).toContain('Conversation memory: 4 earlier messages');
    expect(text).toContain('Media: image');
    expect(text).toContain(
      'OpenAI · gpt-4o-mini · 820 ms · 128 tokens (120 in, 8 out) · ≈ $0.000023',
    );
    expect(text).not.toContain('Why the bot stayed silent');
  });

  it('says why a silent request was silent, with the error, and that nothing was sent', () => {
    const text = draw(
      item({
        status: 'refused',
        answer: null,
        prompt: null,
        provider: null,
        model: null,
        latencyMs: null,
        tokens: { input: null, output: null, total: null },
        costUsd: null,
        silentReason: 'quota',
        errorClass: 'quota',
        errorMessage: 'the plan allows 200 requests a month',
      }),
      'es',
    );
    expect(text).toContain('Por qué el bot no respondió');
    expect(text).toContain('Se agotó el límite de solicitudes de este mes');
    expect(text).toContain('Error (quota): the plan allows 200 requests a month');
    expect(text).toContain('No se envió nada al proveedor de IA.');
    expect(text).not.toContain('≈');
  });

  it('lists what the extraction wrote, skipped and did', () => {
    const text = draw(
      item({
        extraction: {
          profile: 'sales',
          written: [{ fieldId: 11, name: 'Budget', value: 5000 }],
          skipped: [{ name: 'Meeting day', value: 'Someday', reason: 'not an option' }],
          actions: [
            { kind: 'move', detail: 'Meeting booked', ok: true },
            { kind: 'task', detail: 'Call Ana', ok: false },
          ],
        },
      }),
      'pt',
    );
    expect(text).toContain('Escrito no lead (sales)');
    expect(text).toContain('Budget = 5000');
    expect(text).toContain('Meeting day = Someday: not an option');
    expect(text).toContain('Etapa: Meeting booked');
    expect(text).toContain('Tarefa: Call Ana (falhou)');
  });
});
