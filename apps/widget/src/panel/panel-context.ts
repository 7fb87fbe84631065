import { createContext, useContext } from 'react';
import { type ApiClient } from '../lib/api-client';
import { type Translate } from '../i18n/translate';

export type Panel = { api: ApiClient; t: Translate };

export const PanelContext = createContext<Panel | null>(null);

export function usePanel(): Panel {
  const panel = useContext(PanelContext);
  if (!panel) throw new Error('usePanel outside the settings panel');
  return panel;
}
