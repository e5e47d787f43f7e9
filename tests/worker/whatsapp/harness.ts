import { DEFAULT_GRAPH_API_VERSION } from '../../../shared/whatsapp/graph-types.ts';
import { createGraphClient, type GraphChannel } from '../../../worker/whatsapp/client.ts';
import type { GraphAttempt } from '../../../worker/whatsapp/request.ts';
import {
  ACCESS_TOKEN,
  GRAPH_URL,
  type GraphHarness,
  PHONE_NUMBER_ID,
} from '../../helpers/graph.ts';

export const channel: GraphChannel = { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN };

/**
 * A Graph client against the emulator of `h`, whose backoff waits advance the manual clock
 * instead of sleeping, with jitter fixed at the middle, recording attempts and pauses.
 */
export function clientFor(
  h: GraphHarness,
  retry = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000 },
) {
  const attempts: GraphAttempt[] = [];
  const pauses: number[] = [];
  const client = createGraphClient({
    config: { baseUrl: GRAPH_URL, version: DEFAULT_GRAPH_API_VERSION },
    clock: h.clock,
    retry,
    random: () => 0.5,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      pauses.push(ms);
      h.clock.advance(ms);
    },
    onAttempt: (a) => attempts.push(a),
  });
  return { client, attempts, pauses };
}
