import { describe, expect, it } from 'vitest';
import { validateOpenAi } from '../../src/ai/spec-validator.js';
import { client, field, OPENAI_KEY, useSandbox } from './helpers.js';

describe('fake OpenAI audio transcriptions', () => {
  const handle = useSandbox();
  const api = client(handle);

  async function transcribe(
    fields: Record<string, string>,
    fileName: string | null,
    key = OPENAI_KEY,
  ) {
    const form = new FormData();
    if (fileName) {
      form.append('file', new Blob([new Uint8Array(32_000)], { type: 'audio/ogg' }), fileName);
    }
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const response = await fetch(`${handle.base}/openai/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('json') ?? false;
    return { status: response.status, body: isJson ? (JSON.parse(text) as unknown) : text };
  }

  it('transcribes a multipart upload into {text} derived from the file name', async () => {
    const reply = await transcribe({ model: 'whisper-1', temperature: '0' }, 'voice-note.ogg');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      text: 'Transcript of voice-note.ogg',
      usage: { type: 'duration', seconds: 2 },
    });
    expect(validateOpenAi('CreateTranscriptionResponseJson', reply.body).result).toMatchObject({
      valid: true,
    });
    const [call] = await api.calls('?endpoint=audio.transcriptions');
    expect(call?.body).toMatchObject({
      model: 'whisper-1',
      file: { name: 'voice-note.ogg', size: 32_000 },
    });
    expect(call?.validation).toMatchObject({
      checked: true,
      valid: true,
      schema: 'CreateTranscriptionRequest',
    });
  });

  it('serves scripted transcripts per file name, then the catch-all, with token usage for gpt-4o models', async () => {
    await api.script(OPENAI_KEY, {
      transcripts: { 'meeting.ogg': 'Quero agendar uma reunião amanhã' },
      transcript: 'Olá',
    });
    const scripted = await transcribe({ model: 'gpt-4o-mini-transcribe' }, 'meeting.ogg');
    expect(field(scripted.body, 'text')).toBe('Quero agendar uma reunião amanhã');
    expect(field(scripted.body, 'usage.type')).toBe('tokens');
    const other = await transcribe({ model: 'gpt-4o-mini-transcribe' }, 'other.ogg');
    expect(field(other.body, 'text')).toBe('Olá');
  });

  it('answers plain text for response_format=text', async () => {
    const reply = await transcribe({ model: 'whisper-1', response_format: 'text' }, 'a.mp3');
    expect(reply.body).toBe('Transcript of a.mp3\n');
  });

  it('rejects a missing file and an unknown model', async () => {
    const noFile = await transcribe({ model: 'whisper-1' }, null);
    expect(noFile.status).toBe(400);
    expect(field(noFile.body, 'error')).toMatchObject({
      param: 'file',
      type: 'invalid_request_error',
    });

    const badModel = await transcribe({ model: 'whisper-9' }, 'a.ogg');
    expect(badModel.status).toBe(404);
    expect(field(badModel.body, 'error.code')).toBe('model_not_found');
  });

  it('answers 401 for an unknown key', async () => {
    const reply = await transcribe({ model: 'whisper-1' }, 'a.ogg', 'sk-other-key');
    expect(reply.status).toBe(401);
    expect(field(reply.body, 'error.code')).toBe('invalid_api_key');
  });
});
