import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { checkApiKey } from '../auth/gate.ts';
import { Connection } from './connection.ts';
import type { RealtimeContext } from './context.ts';
import type { Vsn } from './serializer.ts';
import { confirmToken } from './tokens.ts';

/** Realtime's answers to a refused WebSocket handshake. */
const CONNECT_ERRORS = {
  malformed: [401, 'The token provided is not a valid JWT'],
  signature: [401, 'Failed to validate JWT signature'],
  expired: [401, 'Token has expired'],
  missing_claims: [401, 'Fields `role` and `exp` are required in JWT'],
} as const;

async function respond(socket: Duplex, res: Response) {
  const body = await res.text();
  const head = [
    `HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? ''}`,
    `content-type: ${res.headers.get('content-type') ?? 'application/json'}`,
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function vsnOf(raw: string | null): Vsn | undefined {
  const v = raw ?? '1.0.0';
  if (/^1\.0\.\d+$/.test(v)) return '1.0.0';
  if (/^2\.0\.\d+$/.test(v)) return '2.0.0';
  return undefined;
}

/**
 * Handles an HTTP upgrade to `…/websocket`: the gateway's API-key check, the serializer from
 * `vsn`, and the apikey verified as a JWT, as Realtime's socket `connect` does. Refusals are
 * plain HTTP answers; a client that passes gets a Phoenix socket.
 */
export async function upgrade(
  ctx: RealtimeContext,
  wss: WebSocketServer,
  apiKeys: string[],
  connections: Set<Connection>,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  socket.on('error', () => {});
  const url = new URL(req.url ?? '/', 'http://realtime.local');
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string') headers.set(k, v);
  }
  if (!/\/websocket\/?$/.test(url.pathname)) {
    return respond(socket, Response.json({ message: 'Not Found' }, { status: 404 }));
  }
  const refusal = checkApiKey(new Request(url, { headers }), apiKeys);
  if (refusal) return respond(socket, refusal);
  const vsn = vsnOf(url.searchParams.get('vsn'));
  if (!vsn) {
    const error = `The client's requested serializer version "${url.searchParams.get('vsn')}" is not supported`;
    return respond(socket, Response.json({ error }, { status: 403 }));
  }
  const token = headers.get('x-api-key') ?? url.searchParams.get('apikey') ?? '';
  const checked = await confirmToken(token, ctx.verifyJwt, ctx.clock);
  if (!checked.ok) {
    const [status, error] = CONNECT_ERRORS[checked.reason];
    return respond(socket, Response.json({ error }, { status }));
  }
  const xHeaders: Record<string, string> = {};
  headers.forEach((value, key) => {
    if (key.startsWith('x-')) xHeaders[key] = value;
  });
  wss.handleUpgrade(req, socket, head, (ws) => {
    const conn = new Connection(ctx, ws, vsn, token, xHeaders);
    connections.add(conn);
    ws.on('close', () => connections.delete(conn));
  });
}
