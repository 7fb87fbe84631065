import { describe, expect, it } from 'vitest';
import { chatBody, client, field, useSandbox } from './helpers.js';

describe('AI control API', () => {
  const handle = useSandbox();
  const api = client(handle);

  it('rejects malformed scripts with a 400 that names the problem', async () => {
    const typo = await api.control('PUT', '/scripts/sk-test-x', { answr: { mode: 'echo' } });
    expect(typo.status).toBe(400);
    const kind = await api.control('PUT', '/scripts/sk-test-x', {
      failures: [{ kind: 'explode' }],
    });
    expect(kind.status).toBe(400);
    const regex = await api.control('PUT', '/scripts/sk-test-x', {
      answer: { mode: 'intent', rules: [{ pattern: '(', answer: '#X' }] },
    });
    expect(regex.status).toBe(400);
    expect(field(regex.body, 'error')).toContain('invalid pattern');
  });

  it('lists calls with endpoint, key, body, validation and virtual time, filters and clears them', async () => {
    await api.openai('/chat/completions', chatBody('one'));
    await api.dify({ query: 'two', inputs: {}, user: 'u' });
    const all = await api.calls();
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({
      provider: 'openai',
      endpoint: 'chat.completions',
      method: 'POST',
      path: '/openai/v1/chat/completions',
      key: 'sk-test-abc123',
      body: chatBody('one'),
      status: 200,
      outcome: 'ok',
      answer: 'Echo: one',
      validation: { checked: true, valid: true },
    });
    expect(all[0]?.at).toBeGreaterThan(0);
    expect(all[1]).toMatchObject({ provider: 'dify', validation: null });
    expect(await api.calls('?provider=dify')).toHaveLength(1);
    expect(await api.calls('?key=nobody')).toHaveLength(0);
    await api.control('DELETE', '/calls');
    expect(await api.calls()).toHaveLength(0);
  });

  it('changes key prefixes through the config', async () => {
    await api.control('PATCH', '/config', { keyPrefixes: { openai: 'sk-demo-' } });
    expect((await api.openai('/chat/completions', chatBody('x'))).status).toBe(401);
    expect((await api.openai('/chat/completions', chatBody('x'), 'sk-demo-1')).status).toBe(200);
    const config = await api.control('GET', '/config');
    expect(field(config.body, 'keyPrefixes.dify')).toBe('app-test-');
  });

  it('resets scripts, keys and conversations', async () => {
    await api.control('POST', '/keys', { key: 'sk-live-registered' });
    await api.script('*', { answer: { mode: 'fixed', text: 'scripted' } });
    await api.dify({ query: 'x', inputs: {}, user: 'u' });
    expect(
      field<unknown[]>((await api.control('GET', '/conversations')).body, 'dify'),
    ).toHaveLength(1);
    await api.control('POST', '/reset');
    const state = await api.control('GET', '/');
    expect(state.body).toMatchObject({ keys: [], scripts: {}, calls: 0 });
    expect(
      field<unknown[]>((await api.control('GET', '/conversations')).body, 'dify'),
    ).toHaveLength(0);
  });

  it('is also cleared by the sandbox-wide POST /_sandbox/reset', async () => {
    await api.script('*', { answer: { mode: 'fixed', text: 'scripted' } });
    await api.openai('/chat/completions', chatBody('x'));
    const reset = await fetch(`${handle.base}/_sandbox/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(reset.status).toBe(200);
    expect((await api.control('GET', '/')).body).toMatchObject({ scripts: {}, calls: 0 });
  });

  it('warms the spec and reports load and compile times', async () => {
    const warm = await api.control('POST', '/spec/warm');
    expect(warm.status).toBe(200);
    expect(field<number>(warm.body, 'spec.loadMs')).toBeGreaterThanOrEqual(0);
    expect(field<Record<string, number>>(warm.body, 'spec.compileMs')).toHaveProperty(
      'CreateResponse',
    );
  });
});
