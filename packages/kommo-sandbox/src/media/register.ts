/*
 * A fake of Kommo's file CDN, where the attachment links in customer messages point.
 *
 *   POST /_sandbox/media  {fileName, contentType, base64} | {fixture: 'image.png'|'voice.ogg', fileName?}
 *                         → 201 {id, url, fileName, contentType, size}; url = {origin}/media/{id}/{fileName}
 *   GET  /media/:id/:fileName             the stored bytes, its Content-Type and Content-Length
 *   GET  /media/slow/:ms/:fileName        waits ms before answering (?stall=body: sends the headers
 *                                          and half the body first, then waits)
 *   GET  /media/big/:bytes/:fileName      streams that many zero bytes (?chunked=1: no Content-Length)
 *   GET  /media/redirect?to=URL&status=302  a CDN-style redirect to any URL
 */
import { PassThrough, Readable } from 'node:stream';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type SandboxContext } from '../context.js';
import {
  contentTypeFor,
  isMediaFixture,
  MEDIA_FIXTURES,
  MediaStore,
  sampleBytesFor,
} from './media-store.js';

/** Uploads are base64 in JSON: room for a 20 MB file. */
const UPLOAD_BODY_LIMIT = 32 * 1024 * 1024;
const MAX_SLOW_MS = 120_000;
const MAX_BIG_BYTES = 1024 * 1024 * 1024;
const BIG_CHUNK = 64 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const badRequest = (reply: FastifyReply, message: string) =>
  reply.code(400).send({ error: 'bad_request', message });

const validFileName = (name: unknown): name is string =>
  typeof name === 'string' &&
  /^[^/\\]{1,200}$/.test(name) &&
  ![...name].some((c) => c.charCodeAt(0) < 0x20) &&
  name !== '.' &&
  name !== '..';

const validContentType = (type: unknown): type is string =>
  typeof type === 'string' && /^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(type);

function originOf(request: FastifyRequest, context: SandboxContext): string {
  return request.host ? `${request.protocol}://${request.host}` : context.publicUrl.value;
}

/**
 * Waits that `close()` and a client hanging up both cut short. They resolve `true` when the
 * server is closing: the caller then drops the connection, since an answer would keep it open.
 */
class Waits {
  private readonly pending = new Set<(closing: boolean) => void>();

  wait(ms: number, reply: FastifyReply): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (closing: boolean) => {
        clearTimeout(timer);
        this.pending.delete(done);
        reply.raw.off('close', onClose);
        resolve(closing);
      };
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.pending.add(done);
      reply.raw.once('close', onClose);
    });
  }

  releaseAll(): void {
    for (const done of [...this.pending]) done(true);
  }
}

/** Registers the fake file CDN (see the list at the top of this file). */
export function registerMedia(app: FastifyInstance, context: SandboxContext): void {
  const store = new MediaStore();
  const waits = new Waits();
  context.resetHooks.add(() => store.clear());
  app.addHook('preClose', (done) => {
    waits.releaseAll();
    done();
  });

  app.post('/_sandbox/media', { bodyLimit: UPLOAD_BODY_LIMIT }, (request, reply) => {
    const body: unknown = request.body;
    if (!isObject(body)) {
      return badRequest(reply, 'send JSON {fileName, contentType, base64} or {fixture}');
    }
    let input: { fileName: string; contentType: string; bytes: Buffer };
    if (body.fixture !== undefined) {
      if (!isMediaFixture(body.fixture)) {
        return badRequest(
          reply,
          `fixture must be one of: ${Object.keys(MEDIA_FIXTURES).join(', ')}`,
        );
      }
      const fixture = MEDIA_FIXTURES[body.fixture];
      const fileName = body.fileName ?? body.fixture;
      if (!validFileName(fileName)) return badRequest(reply, 'fileName must be a plain file name');
      const contentType = body.contentType ?? fixture.contentType;
      if (!validContentType(contentType)) {
        return badRequest(reply, 'contentType must look like type/subtype');
      }
      input = { fileName, contentType, bytes: Buffer.from(fixture.bytes) };
    } else {
      if (!validFileName(body.fileName)) {
        return badRequest(reply, 'fileName must be a plain file name (no "/")');
      }
      if (!validContentType(body.contentType)) {
        return badRequest(reply, 'contentType must look like type/subtype');
      }
      if (typeof body.base64 !== 'string' || !/^[A-Za-z0-9+/=_\s-]*$/.test(body.base64)) {
        return badRequest(reply, 'base64 must be a base64 string');
      }
      input = {
        fileName: body.fileName,
        contentType: body.contentType,
        bytes: Buffer.from(body.base64, 'base64'),
      };
    }
    const media = store.put(input);
    return reply.code(201).send({
      id: media.id,
      url: `${originOf(request, context)}/media/${media.id}/${encodeURIComponent(media.fileName)}`,
      fileName: media.fileName,
      contentType: media.contentType,
      size: media.bytes.length,
    });
  });

  app.get<{ Params: { ms: string; fileName: string }; Querystring: { stall?: string } }>(
    '/media/slow/:ms/:fileName',
    async (request, reply) => {
      const ms = Number(request.params.ms);
      if (!Number.isInteger(ms) || ms < 0 || ms > MAX_SLOW_MS) {
        return badRequest(reply, `ms must be an integer from 0 to ${MAX_SLOW_MS}`);
      }
      const bytes = sampleBytesFor(request.params.fileName);
      reply
        .header('content-type', contentTypeFor(request.params.fileName))
        .header('content-length', bytes.length);
      if (request.query.stall === 'body') {
        // Headers and half the body now, the rest later: a download that stalls mid-way.
        const body = new PassThrough();
        const half = Math.ceil(bytes.length / 2);
        body.write(bytes.subarray(0, half));
        void waits.wait(ms, reply).then((closing) => {
          if (closing) request.raw.socket.destroy();
          else body.end(bytes.subarray(half));
        });
        return reply.send(body);
      }
      if (await waits.wait(ms, reply)) {
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      return reply.send(bytes);
    },
  );

  app.get<{ Params: { bytes: string; fileName: string }; Querystring: { chunked?: string } }>(
    '/media/big/:bytes/:fileName',
    (request, reply) => {
      const size = Number(request.params.bytes);
      if (!Number.isInteger(size) || size < 0 || size > MAX_BIG_BYTES) {
        return badRequest(reply, `bytes must be an integer from 0 to ${MAX_BIG_BYTES}`);
      }
      const chunk = Buffer.alloc(Math.min(BIG_CHUNK, size));
      const body = Readable.from(
        (function* () {
          for (let sent = 0; sent < size; sent += chunk.length) {
            yield chunk.subarray(0, Math.min(chunk.length, size - sent));
          }
        })(),
      );
      reply.header('content-type', contentTypeFor(request.params.fileName));
      if (request.query.chunked !== '1') reply.header('content-length', size);
      return reply.send(body);
    },
  );

  app.get<{ Querystring: { to?: string; status?: string } }>(
    '/media/redirect',
    (request, reply) => {
      const status = Number(request.query.status ?? 302);
      if (!REDIRECT_STATUSES.has(status)) {
        return badRequest(reply, 'status must be 301, 302, 303, 307 or 308');
      }
      if (!request.query.to) return badRequest(reply, 'to (the Location) is required');
      return reply.code(status).header('location', request.query.to).send();
    },
  );

  app.get<{ Params: { id: string; fileName: string } }>(
    '/media/:id/:fileName',
    (request, reply) => {
      const media = store.get(request.params.id);
      if (!media) return reply.code(404).send({ error: 'not_found', message: 'no such file' });
      return reply
        .header('content-type', media.contentType)
        .header('content-length', media.bytes.length)
        .send(media.bytes);
    },
  );
}
