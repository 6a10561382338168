/** Loopback ports for the embedded broker: is one free, pick a free one, refuse a busy one with the fix. */
import { createServer } from 'node:net';
import { UsageError } from '../../processor/errors.js';

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolvePromise(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

export async function requireFreePort(port: number, what: string): Promise<void> {
  if (!(await portIsFree(port))) {
    throw new UsageError(
      'PORT_BUSY',
      `${what} port ${port} on 127.0.0.1 is already in use: stop whatever holds it (\`ss -ltnp | grep :${port}\`) or pass --port with another port`,
      {
        context: { port },
      },
    );
  }
}
