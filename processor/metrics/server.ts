/**
 * `process --metrics-port N`: /metrics (Prometheus text format), /healthz (200 unless processing
 * halted) and /readyz (200 once the consumer runs and no task is restoring, else 503), on loopback
 * unless a host is given.
 */
import { createServer, type Server } from 'node:http';
import { UsageError } from '../errors.js';
import type { ProcessorMetrics } from './metrics.js';

export async function serveMetrics(metrics: ProcessorMetrics, port: number, host: string): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': metrics.registry.contentType });
          response.end(text);
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`metrics failed: ${(error as Error).message}\n`);
        },
      );
      return;
    }
    const probe = path === '/healthz' ? metrics.isHealthy() : path === '/readyz' ? metrics.isReady() : undefined;
    if (probe === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found: /metrics, /healthz or /readyz\n');
      return;
    }
    response.writeHead(probe ? 200 : 503, { 'content-type': 'text/plain' });
    response.end(probe ? 'ok\n' : path === '/healthz' ? 'halted\n' : 'not ready: joining the group or restoring state\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new UsageError('PORT_BUSY', `cannot serve metrics on ${host}:${port} (${error.code}): pick another --metrics-port, or 0 for any free port`, { cause: error })
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : port };
}
