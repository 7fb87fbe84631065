// SSRF: an account's provider base URL and a customer's media links must never make us connect to
// loopback, link-local (cloud metadata), private or plain-http addresses. The loopback targets are
// a trap listener of ours, so "refused without connecting" is checked by its connection count;
// the other addresses are refused before any socket exists (IP literals), so nothing leaves the box.
import { call, expect, startTrap } from './probe-kit.mjs';
import { sleep } from './processes.mjs';
import { PROMPT_FIELD } from './stack.mjs';

const TERMINAL = new Set(['done', 'failed', 'refused']);

export async function ssrfProbes(run, fx) {
  const { accounts } = fx;
  const { a, b } = accounts;
  const trap = await startTrap();
  const t = trap.port;
  run.group('ssrf');

  const baseUrls = {
    'http-loopback': `http://127.0.0.1:${t}/v1`,
    'https-loopback': `https://127.0.0.1:${t}/v1`,
    'metadata-https': 'https://169.254.169.254/latest/meta-data',
    'metadata-http': 'http://169.254.169.254/latest/meta-data',
    'private-10': 'https://10.0.0.5/v1',
    'private-172': 'https://172.16.5.4/v1',
    'private-192': 'https://192.168.1.10/v1',
    'cgnat-100-64': 'https://100.64.0.1/v1',
    'ipv6-loopback': `https://[::1]:${t}/v1`,
    'ipv4-mapped-ipv6': `https://[::ffff:127.0.0.1]:${t}/v1`,
    'hex-ip': `https://0x7f000001:${t}/v1`,
    'decimal-ip': `https://2130706433:${t}/v1`,
    'zero-address': `https://0.0.0.0:${t}/v1`,
    'credentials-in-url': 'https://user:pw@api.example.com/v1',
    'file-scheme': 'file:///etc/passwd',
    'plain-http-public': 'http://api.example.com/v1',
  };
  fx.keep('OpenAI-compatible key (B)', 'sk-compat-probe-000000');
  const save = (baseUrl) =>
    fx.widget(b, 'PUT', '/providers', {
      assistant: {
        provider: 'openai_compatible',
        apiKey: 'sk-compat-probe-000000',
        model: 'm',
        baseUrl,
      },
    });
  for (const [name, url] of Object.entries(baseUrls)) {
    await run.probe(`provider-base-url:${name}`, async () => {
      const before = trap.connections;
      const r = await save(url);
      expect(r.status === 400, `saved (${r.status})`);
      expect(trap.connections === before, 'the trap got a connection');
      return `400 ${(r.json().message ?? '').slice(0, 70)}`;
    });
  }
  await run.probe('provider-base-url:localhost-name-at-connect', async () => {
    // A name passes the save (it may resolve anywhere); the guard judges its address at connect.
    const saved = await save(`https://localhost:${t}/v1`);
    expect(saved.status === 200, `save answered ${saved.status}`);
    const before = trap.connections;
    const r = await fx.widget(b, 'POST', '/test-console', { kind: 'assistant', prompt: 'hi' });
    const answer = r.json();
    expect(
      r.status === 200 && answer.ok === false,
      `console answered ${r.status} ${r.text.slice(0, 80)}`,
    );
    expect(/not allowed/.test(answer.error), `error: ${answer.error}`);
    expect(trap.connections === before, 'the trap got a connection');
    return `refused at connect: ${answer.error.slice(0, 70)}`;
  });
  await fx.widget(b, 'PUT', '/providers', { assistant: { provider: 'openai', baseUrl: null } });

  // Media links in a customer's message, fetched by the worker.
  const mediaUrls = {
    'loopback-image': `https://127.0.0.1:${t}/a.png`,
    'loopback-http-image': `http://127.0.0.1:${t}/c.gif`,
    'metadata-image': 'http://169.254.169.254/latest/meta-data/iam.png',
    'private-image': 'https://10.1.2.3/photo.jpg',
    'ipv6-loopback-image': `https://[::1]:${t}/b.webp`,
    'localhost-voice-note': `https://localhost:${t}/voice.ogg`,
  };
  const sent = {};
  for (const [name, url] of Object.entries(mediaUrls)) {
    const lead = await fx.sandbox.call('POST', `/_sandbox/accounts/${a.id}/leads`, {
      name: `SSRF ${name}`,
      fields: { [PROMPT_FIELD]: `What is in ${url} ?` },
    });
    const r = await call(a.chatgpt.handler, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lead_id: lead.id }),
    });
    sent[name] = { leadId: lead.id, status: r.status };
  }
  const rowOf = async (leadId) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const row = await fx.db(
        async (db) =>
          (
            await db.query(
              `SELECT status, error_class, error_message, log_line, reached_provider FROM ai_requests
                WHERE installation_id = $1 AND lead_id = $2 ORDER BY seq DESC LIMIT 1`,
              [a.installationId, leadId],
            )
          ).rows[0],
      );
      if (row && TERMINAL.has(row.status)) return row;
      if (Date.now() > deadline) return row;
      await sleep(250);
    }
  };
  for (const [name, { leadId, status }] of Object.entries(sent)) {
    await run.probe(`media-url:${name}`, async () => {
      expect(status === 200, `the webhook answered ${status}`);
      const row = await rowOf(leadId);
      expect(row && TERMINAL.has(row.status), `request still ${row?.status}`);
      const text = `${row.error_message ?? ''} ${row.log_line ?? ''}`;
      expect(/not allowed|only https/.test(text), `ended ${row.status}: ${text.slice(0, 90)}`);
      expect(!row.reached_provider, 'the provider was asked anyway');
      expect(trap.connections === 0, `the trap got ${trap.connections} connection(s)`);
      return `${row.status}: ${row.error_message.slice(0, 70)}`;
    });
  }
  await trap.close();
}
