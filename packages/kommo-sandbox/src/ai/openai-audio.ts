import { type FastifyInstance } from 'fastify';
import { checkAgainstSpec, checkModel, isRecord, openAiCall } from './openai-shared.js';
import { type AiDeps, BODY_LIMIT, type HandlerResult, runCall } from './pipeline.js';
import { countTokens } from './script.js';

type UploadedFile = { name: string; size: number; type: string };
type Form = { fields: Record<string, string | string[]>; file: UploadedFile | null };

/** Multipart bodies stay raw here; the route parses them with the web `FormData` parser. */
export function installMultipartParser(scope: FastifyInstance): void {
  if (scope.hasContentTypeParser('multipart/form-data')) {
    scope.removeContentTypeParser('multipart/form-data');
  }
  scope.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
}

async function readForm(contentType: string, body: unknown): Promise<Form> {
  if (!Buffer.isBuffer(body)) {
    // Not multipart (e.g. JSON): keep the string fields so validation can say what is missing.
    const fields: Record<string, string> = {};
    if (isRecord(body)) for (const [k, v] of Object.entries(body)) fields[k] = String(v);
    return { fields, file: null };
  }
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, string | string[]> = {};
  let file: UploadedFile | null = null;
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string') {
      if (name === 'file') file = { name: value.name, size: value.size, type: value.type };
      continue;
    }
    // `include[]=logprobs` is how multipart clients send arrays.
    if (name.endsWith('[]')) {
      const key = name.slice(0, -2);
      const list = fields[key];
      fields[key] = Array.isArray(list) ? [...list, value] : [value];
    } else {
      fields[name] = value;
    }
  }
  return { fields, file };
}

/** `POST /v1/audio/transcriptions` (multipart `file` + `model`). */
export function registerOpenAiAudio(scope: FastifyInstance, deps: AiDeps): void {
  scope.post('/audio/transcriptions', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    let form: Form;
    try {
      form = await readForm(request.headers['content-type'] ?? '', request.body);
    } catch {
      form = { fields: {}, file: null };
    }
    const forValidation = { ...form.fields, ...(form.file ? { file: form.file.name } : {}) };
    const [validation, invalid] = checkAgainstSpec(
      'CreateTranscriptionRequest',
      forValidation,
      true,
    );
    const recorded = { ...form.fields, file: form.file };
    return runCall(deps, request, reply, {
      ...openAiCall(deps, request, 'audio.transcriptions', recorded, validation),
      handle: (script) => {
        if (invalid) return invalid;
        const model = String(form.fields.model);
        const unknown = checkModel(deps.state.config.transcriptionModels, model);
        if (unknown) return unknown;
        const fileName = form.file?.name ?? 'audio';
        const text = script.transcriptFor(fileName);
        return transcription(
          model,
          text,
          form.file?.size ?? 0,
          String(form.fields.response_format ?? 'json'),
        );
      },
    });
  });
}

function transcription(model: string, text: string, bytes: number, format: string): HandlerResult {
  // A pretend duration: 16 kB of audio per second.
  const seconds = Math.max(1, Math.ceil(bytes / 16_000));
  switch (format) {
    case 'text':
      return {
        status: 200,
        answer: text,
        body: `${text}\n`,
        contentType: 'text/plain; charset=utf-8',
      };
    case 'srt':
      return {
        status: 200,
        answer: text,
        body: `1\n00:00:00,000 --> 00:00:${String(seconds).padStart(2, '0')},000\n${text}\n\n`,
        contentType: 'text/plain; charset=utf-8',
      };
    case 'vtt':
      return {
        status: 200,
        answer: text,
        body: `WEBVTT\n\n00:00:00.000 --> 00:00:${String(seconds).padStart(2, '0')}.000\n${text}\n\n`,
        contentType: 'text/vtt; charset=utf-8',
      };
    case 'verbose_json':
      return {
        status: 200,
        answer: text,
        body: { task: 'transcribe', language: 'english', duration: seconds, text, segments: [] },
      };
    default: {
      const outputTokens = countTokens(text);
      const usage =
        model === 'whisper-1'
          ? { type: 'duration', seconds }
          : {
              type: 'tokens',
              input_tokens: seconds * 10,
              input_token_details: { text_tokens: 0, audio_tokens: seconds * 10 },
              output_tokens: outputTokens,
              total_tokens: seconds * 10 + outputTokens,
            };
      return { status: 200, answer: text, body: { text, usage } };
    }
  }
}
