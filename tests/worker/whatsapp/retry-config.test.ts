import { describe, expect, it } from 'vitest';
import { createGraphEmulator } from '../../../scripts/emulators/graph/emulator.ts';
import { graphHandlers } from '../../../scripts/emulators/graph/msw.ts';
import { ConfigError } from '../../../shared/config.ts';
import { createGraphClient } from '../../../worker/whatsapp/client.ts';
import { graphConfigFromEnv } from '../../../worker/whatsapp/config.ts';
import { backoffDelay, retryAfterMs, sleep } from '../../../worker/whatsapp/retry.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { server } from '../../helpers/msw.ts';

describe('backoff', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles each attempt, jittered between half and all of the step, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
  });

  it('honours Retry-After in seconds, within the cap', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT')).toBeNull();
    expect(backoffDelay(1, policy, () => 0, 700)).toBe(700);
    expect(backoffDelay(1, policy, () => 0, 60_000)).toBe(1000);
  });

  it('stops sleeping when the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(sleep(10, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('Graph API configuration', () => {
  it("defaults to Meta's Graph API and the current version", () => {
    expect(graphConfigFromEnv({})).toEqual({
      baseUrl: 'https://graph.facebook.com',
      version: 'v25.0',
    });
  });

  it('names every malformed variable', () => {
    const error = (() => {
      try {
        return graphConfigFromEnv({ GRAPH_API_BASE_URL: 'graph', GRAPH_API_VERSION: '25' });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/GRAPH_API_BASE_URL: must be an http\(s\) URL/);
    expect((error as Error).message).toMatch(/GRAPH_API_VERSION: must be a Graph API version/);
  });

  it('reaches a Graph API under a path and another version, as the local stack serves it', async () => {
    const clock = new ManualClock();
    const graph = createGraphEmulator({
      webhookUrl: 'http://127.0.0.1:9/none',
      appSecret: 's',
      clock,
      basePath: '/graph',
    });
    server.use(...graphHandlers(graph, 'http://stack.test/graph'));
    const config = graphConfigFromEnv({
      GRAPH_API_BASE_URL: 'http://stack.test/graph/',
      GRAPH_API_VERSION: 'v23.0',
    });
    const client = createGraphClient({ config, clock });
    const { id } = await client.uploadMedia(
      { phoneNumberId: '1234', accessToken: 'any' },
      { data: new TextEncoder().encode('hi'), mimeType: 'text/plain' },
    );
    const info = await client.getMediaUrl({ phoneNumberId: '1234', accessToken: 'any' }, id);
    expect(info.url.startsWith('http://stack.test/graph/whatsapp_business/attachments/')).toBe(
      true,
    );
    await graph.stop();
  });
});
