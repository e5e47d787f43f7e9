import { redact, redactString } from './log.ts';

/**
 * Where unhandled errors go besides the log: Sentry when a DSN is configured, nowhere
 * otherwise. `report` never throws and never waits; `flush` lets a host (a test, a shutdown)
 * wait for reports in flight.
 */
export interface ErrorReporter {
  report(
    error: unknown,
    context: { tags: Record<string, string>; extra?: Record<string, unknown> },
  ): void;
  flush(): Promise<void>;
}

/** Reports nothing: what a deployment without SENTRY_DSN uses. */
export const noReporter: ErrorReporter = { report: () => {}, flush: async () => {} };

interface Dsn {
  envelopeUrl: string;
  publicKey: string;
}

/** `https://<key>@<host>/<project>` → Sentry's envelope endpoint and key; throws when malformed. */
export function parseDsn(dsn: string): Dsn {
  const url = new URL(dsn);
  const project = url.pathname.replace(/^\/+|\/+$/g, '');
  if (!url.username || !/^\d+$/.test(project.split('/').at(-1) ?? ''))
    throw new Error('SENTRY_DSN must look like https://<key>@<host>/<project id>');
  const prefix = project.split('/').slice(0, -1).join('/');
  const base = `${url.protocol}//${url.host}${prefix ? `/${prefix}` : ''}`;
  return {
    envelopeUrl: `${base}/api/${project.split('/').at(-1)}/envelope/`,
    publicKey: url.username,
  };
}

function exceptionOf(error: unknown) {
  const err = error instanceof Error ? error : new Error(String(error));
  const chain: Array<{
    type: string;
    value: string;
    stacktrace?: { frames: Array<{ function: string }> };
  }> = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    // The stack goes as text frames, newest last, as Sentry orders them; scrubbed like logs.
    const frames = (e.stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => ({ function: redactString(line.trim()) }))
      .reverse();
    chain.unshift({ type: e.name, value: redactString(e.message), stacktrace: { frames } });
  }
  return { values: chain };
}

/**
 * Sends each report as one Sentry event in an envelope, with plain fetch (so it runs on Deno
 * and Node alike, with no SDK). Messages, stacks and extra fields are scrubbed of secrets the
 * way log lines are. A failed send is dropped: reporting must never hurt the request.
 *
 * @example
 * const errors = config.SENTRY_DSN ? sentryReporter(config.SENTRY_DSN, { environment }) : noReporter;
 */
export function sentryReporter(
  dsn: string,
  opts: { environment?: string; release?: string; serverName?: string; fetch?: typeof fetch } = {},
): ErrorReporter {
  const { envelopeUrl, publicKey } = parseDsn(dsn);
  const send = opts.fetch ?? fetch;
  const pending = new Set<Promise<unknown>>();
  return {
    report(error, context) {
      const eventId = crypto.randomUUID().replaceAll('-', '');
      const event = {
        event_id: eventId,
        timestamp: Date.now() / 1000,
        platform: 'javascript',
        level: 'error',
        environment: opts.environment ?? 'production',
        ...(opts.release ? { release: opts.release } : {}),
        ...(opts.serverName ? { server_name: opts.serverName } : {}),
        exception: exceptionOf(error),
        tags: context.tags,
        extra: redact(context.extra ?? {}),
      };
      const body = [
        JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString() }),
        JSON.stringify({ type: 'event' }),
        JSON.stringify(event),
      ].join('\n');
      const sent = send(envelopeUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-sentry-envelope',
          'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${publicKey}, sentry_client=flutter-studio/1`,
        },
        body,
      })
        .then((res) => res.text())
        .catch(() => {})
        .finally(() => pending.delete(sent));
      pending.add(sent);
    },
    async flush() {
      await Promise.all(pending);
    },
  };
}
