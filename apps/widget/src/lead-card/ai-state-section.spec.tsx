import { type HandoffSettingsView, type LeadAiState } from '@gpt-bridge/shared';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { translator, type Language } from '../i18n/translate';
import { type ApiClient } from '../lib/api-client';
import { PanelContext } from '../panel/panel-context';
import { StateView } from './ai-state-section';
import { LeadCardContext } from './lead-card-context';

function draw(
  state: LeadAiState,
  lang: Language = 'en',
  viewerId: number | null = 3,
  handoff: HandoffSettingsView | null = null,
): string {
  return renderToStaticMarkup(
    <PanelContext.Provider value={{ api: {} as ApiClient, t: translator(lang) }}>
      <LeadCardContext.Provider value={{ leadId: state.leadId, lang, viewerId }}>
        <StateView
          state={state}
          handoff={handoff}
          busy={false}
          onPause={() => undefined}
          onResume={() => undefined}
        />
      </LeadCardContext.Provider>
    </PanelContext.Provider>,
  )
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}

describe('the AI state of a lead', () => {
  it('active: the pause choices, preset to the account silence time', () => {
    const text = draw({ leadId: 5, state: 'active', pause: null, silenceMinutes: 30 });
    expect(text).toContain('AI is answering this lead');
    expect(text).toContain('until someone resumes it');
    expect(text).toContain('Pause AI');
    expect(text).toContain('comes back after 30 min of silence from the team');
    expect(text).not.toContain('Resume AI now');
  });

  it('paused by a team member: who, since, the last message, until resumed, and Resume', () => {
    const text = draw(
      {
        leadId: 5,
        state: 'paused',
        pause: {
          source: 'team_message',
          userId: 9,
          userName: 'Bruno',
          since: '2026-12-01T10:00:00Z',
          lastHumanAt: '2026-12-01T10:20:00Z',
          resumesAt: null,
        },
        silenceMinutes: 30,
      },
      'pt',
    );
    expect(text).toContain('A IA está pausada neste lead');
    expect(text).toContain('Bruno escreveu no chat');
    expect(text).toContain('Desde ');
    expect(text).toContain('Última mensagem da equipe ');
    expect(text).toContain('Até alguém retomar manualmente');
    expect(text).toContain('Retomar a IA agora');
    expect(text).not.toContain('Pausar a IA neste lead');
  });

  it('says "you" to the person who paused it, in their language', () => {
    const state: LeadAiState = {
      leadId: 5,
      state: 'paused',
      pause: {
        source: 'widget_button',
        userId: 3,
        userName: null,
        since: '2026-12-01T10:00:00Z',
        lastHumanAt: '2026-12-01T10:00:00Z',
        resumesAt: null,
      },
      silenceMinutes: 30,
    };
    expect(draw(state, 'es')).toContain('La pausaste aquí');
    expect(draw(state, 'en', 4)).toContain('#3 paused it here');
  });

  it('when Kommo sends no team messages (variant D), says to pause by hand instead', () => {
    const state: LeadAiState = { leadId: 5, state: 'active', pause: null, silenceMinutes: 30 };
    const failed: HandoffSettingsView = {
      silenceMinutes: 30,
      subscription: { state: 'failed', error: 'the plan has no webhooks', checkedAt: null },
    };
    const text = draw(state, 'en', 3, failed);
    expect(text).toContain('Kommo does not tell GPT Bridge when the team writes on this account');
    expect(text).toContain('(the plan has no webhooks)');
    expect(text).not.toContain('min of silence');
    const subscribed: HandoffSettingsView = {
      ...failed,
      subscription: { ...failed.subscription, state: 'subscribed' },
    };
    expect(draw(state, 'en', 3, subscribed)).toContain('min of silence');
  });
});
