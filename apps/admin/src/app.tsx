import { SystemStatus } from './features/health/system-status';

export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '2rem auto' }}>
      <h1>GPT Bridge admin</h1>
      <SystemStatus />
    </main>
  );
}
