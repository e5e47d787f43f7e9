import { afterAll, afterEach, beforeAll } from 'vitest';
import { server } from '../helpers/msw.ts';

// No test may reach the internet: outbound HTTP must be answered by an msw handler. Calls
// to servers on this machine (the local stack, a function served on a port) pass through.
beforeAll(() =>
  server.listen({
    onUnhandledRequest(request, print) {
      const { hostname } = new URL(request.url);
      if (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]') return;
      print.error();
    },
  }),
);
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
