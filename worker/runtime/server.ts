import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthReport {
  ok: boolean;
  body: Record<string, unknown>;
}

export interface OpsServer {
  /** `http://host:port` */
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's operator endpoints: `GET /health` (200 while it can take jobs, 503 while it
 * stops or cannot reach the database) and `GET /metrics` (Prometheus text).
 */
export async function serveOps(opts: {
  host: string;
  port: number;
  health: () => Promise<HealthReport>;
  metrics: () => Promise<string>;
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = async () => {
      if (req.method !== 'GET') return res.writeHead(405, { allow: 'GET' }).end();
      if (path === '/health') {
        const report = await opts.health();
        res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(report.body));
      }
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        return res.end(await opts.metrics());
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    };
    answer().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal"}');
    });
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => ready());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
