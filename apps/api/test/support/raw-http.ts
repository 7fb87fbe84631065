import net from 'node:net';

export type RawOutcome = {
  /** Everything the server wrote. */
  text: string;
  /** The status of the first response line, if any. */
  status: number | null;
  /** Whether the server closed the connection before `waitMs` ran out. */
  closed: boolean;
  /** Milliseconds from connecting to the close (or to giving up). */
  elapsedMs: number;
};

/**
 * Writes `chunks` to a plain TCP connection, `gapMs` apart, as a slow or broken client would,
 * and collects what the server answers until it closes or `waitMs` passes.
 */
export function rawHttp(
  baseUrl: string,
  chunks: readonly string[],
  options: { gapMs?: number; waitMs?: number } = {},
): Promise<RawOutcome> {
  const { port, hostname } = new URL(baseUrl);
  const gapMs = options.gapMs ?? 0;
  const waitMs = options.waitMs ?? 5_000;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let text = '';
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(giveUp);
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({
        text,
        status: match ? Number(match[1]) : null,
        closed,
        elapsedMs: Date.now() - started,
      });
    };
    const giveUp = setTimeout(() => finish(false), waitMs);
    socket.on('data', (data) => (text += data.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    let next = 0;
    const writeNext = () => {
      if (finished || next >= chunks.length) return;
      socket.write(chunks[next]!);
      next += 1;
      timer = setTimeout(writeNext, gapMs);
    };
    socket.on('connect', writeNext);
  });
}

/** One request in one write, `Connection: close`. */
export function rawRequest(baseUrl: string, head: string, body = ''): Promise<RawOutcome> {
  const lines = [head, `Host: ${new URL(baseUrl).host}`, 'Connection: close'];
  if (body !== '') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return rawHttp(baseUrl, [`${lines.join('\r\n')}\r\n\r\n${body}`]);
}

/** The header lines of a raw answer, lower-cased names. */
export function rawHeaders(outcome: RawOutcome): Record<string, string> {
  const head = outcome.text.split('\r\n\r\n', 1)[0] ?? '';
  return Object.fromEntries(
    head
      .split('\r\n')
      .slice(1)
      .map((line) => {
        const at = line.indexOf(':');
        return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
      }),
  );
}

/** The JSON body of a raw answer (`Connection: close`, so the body is the rest). */
export function rawJson(outcome: RawOutcome): Record<string, unknown> {
  const body = outcome.text.split('\r\n\r\n').slice(1).join('\r\n\r\n');
  return JSON.parse(body) as Record<string, unknown>;
}
