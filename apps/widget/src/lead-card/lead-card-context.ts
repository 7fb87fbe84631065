import { createContext, useContext } from 'react';
import { type Language } from '../i18n/translate';

/**
 * What every part of the lead-card panel shares besides the API and texts (PanelContext): the
 * lead, the language, and the Kommo user looking at the card (null when Kommo does not say).
 */
export type LeadCard = { leadId: number; lang: Language; viewerId: number | null };

export const LeadCardContext = createContext<LeadCard | null>(null);

export function useLeadCard(): LeadCard {
  const card = useContext(LeadCardContext);
  if (!card) throw new Error('useLeadCard outside the lead-card panel');
  return card;
}
