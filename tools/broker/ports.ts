/** Loopback ports for the embedded broker: is one free, pick a free one, refuse a busy one with the fix. */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { UsageError } from '../../processor/errors.js';

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolvePromise(true)));
  });
}

/** The first port of the kernel's ephemeral range (outgoing connections take their local ports from it). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

/**
 * A free loopback port for a server the run starts (a broker, a container): drawn below the
 * ephemeral range, because a port the kernel handed out as free from that range can be taken by an
 * outgoing connection's local port before the server binds it (a broker then dies at start-up with
 * "Unable to start acceptor"). Falls back to the kernel's pick when no drawn port is free.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  for (let attempt = 0; attempt < 64 && high > 10_000; attempt++) {
    const port = randomInt(10_000, high + 1);
    if (await portIsFree(port)) return port;
  }
  return kernelFreePort();
}

async function kernelFreePort(): Promise<number> {
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

/**
 * Waits until every port is free again, for at most `timeoutMs`; whether they all are. A SIGKILLed
 * broker's process can be gone from the process table's view (its command line reads empty once its
 * memory is released) a moment before the kernel closes its sockets, and a restart on the same
 * ports (the clients keep the address) must not race that.
 */
export async function waitPortsFree(ports: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = await Promise.all(ports.map(async (port) => !(await portIsFree(port))));
    if (!busy.includes(true)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
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
