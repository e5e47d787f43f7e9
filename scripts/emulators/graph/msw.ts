import { http, type RequestHandler } from 'msw';
import { DEFAULT_GRAPH_API_BASE_URL } from '../../../shared/whatsapp/graph-types.ts';
import type { GraphEmulator } from './emulator.ts';

/**
 * msw handlers that answer the Graph API at `baseUrl` with the emulator, so tests of code
 * that calls Meta run against the same implementation as the local stack.
 *
 * @example
 * const graph = createGraphEmulator({ webhookUrl, appSecret, clock });
 * server.use(...graphHandlers(graph));
 */
export function graphHandlers(
  emulator: GraphEmulator,
  baseUrl: string = DEFAULT_GRAPH_API_BASE_URL,
): RequestHandler[] {
  const root = baseUrl.replace(/\/+$/, '');
  const basePath = new URL(root).pathname.replace(/\/+$/, '');
  return [http.all(`${root}/*`, ({ request }) => emulator.handle(request, basePath))];
}
