import { connect, createServer, type Server } from 'node:net';

/**
 * Starts forwarding `port` to `target`'s host and port: a dependency that "comes up" on `port`
 * the moment this runs (for tests of processes started during an outage).
 */
export async function forwardPort(port: number, target: URL, defaultPort: number): Promise<Server> {
  const server = createServer((socket) => {
    const upstream = connect(Number(target.port || defaultPort), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
