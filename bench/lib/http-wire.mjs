// The little HTTP/1.1 the open-load generator needs: a POST's bytes, and the end of each response
// on a keep-alive socket (status line, headers, then a content-length or chunked body).

/** The whole request as one buffer: one write, one packet for bodies of webhook size. */
export function requestBytes({ target, contentType, body }) {
  const payload = Buffer.from(body);
  const head =
    `POST ${target.pathname}${target.search} HTTP/1.1\r\n` +
    `host: ${target.host}\r\n` +
    `content-type: ${contentType}\r\n` +
    `content-length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/**
 * Feed it a socket's data; it calls `onResponse(status)` once per complete response. Throws on
 * bytes that are not an HTTP/1.1 response, so the caller can drop the connection.
 */
export class ResponseReader {
  constructor(onResponse) {
    this.onResponse = onResponse;
    this.buffer = Buffer.alloc(0);
  }

  push(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headEnd = this.buffer.indexOf(HEAD_END);
      if (headEnd === -1) return;
      const head = this.buffer.toString('latin1', 0, headEnd);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (!status) throw new Error(`not an HTTP response: ${head.slice(0, 40)}`);
      const bodyStart = headEnd + HEAD_END.length;
      let end;
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (length) {
        end = bodyStart + Number(length[1]);
        if (this.buffer.length < end) return;
      } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
        // Small answers only: the body ends at the first zero-length chunk.
        const last = this.buffer.indexOf(CHUNKED_END, bodyStart);
        if (last === -1) return;
        end = last + CHUNKED_END.length;
      } else {
        end = bodyStart;
      }
      this.buffer = this.buffer.subarray(end);
      this.onResponse(Number(status[1]));
    }
  }
}
