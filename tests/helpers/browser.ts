import type { RealtimeClientOptions } from '@supabase/realtime-js';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { WebSocket } from 'ws';
import { DEMO_ANON_KEY } from '../../scripts/local/keys.ts';

type Transport = RealtimeClientOptions['transport'];

/**
 * A supabase-js client as a browser app makes it; `pkce` keeps the verifier in memory;
 * `vsn` picks Realtime's serializer (realtime-js defaults to 2.0.0).
 */
export function appClient(
  url: string,
  opts: { pkce?: boolean; key?: string; vsn?: '1.0.0' | '2.0.0' } = {},
): SupabaseClient {
  const items = new Map<string, string>();
  return createClient(url, opts.key ?? DEMO_ANON_KEY, {
    // `ws`, a transport realtime-js documents for Node, so Realtime traffic goes straight to
    // the local stack: Node's global WebSocket is wrapped by the test run's msw interceptor,
    // which is there for third-party HTTP.
    realtime: opts.vsn ? { vsn: opts.vsn, transport: WebSocket as Transport } : undefined,
    auth: {
      flowType: opts.pkce ? 'pkce' : 'implicit',
      storage: {
        getItem: (key) => items.get(key) ?? null,
        setItem: (key, value) => void items.set(key, value),
        removeItem: (key) => void items.delete(key),
      },
      persistSession: true,
      autoRefreshToken: false,
      detectSessionInUrl: false,
    },
  });
}

/** One browser hop: fetch without following redirects; where it points next. */
export async function hop(url: string | URL): Promise<{ status: number; location?: URL }> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  return { status: res.status, location: location ? new URL(location) : undefined };
}

/** The tokens an implicit-flow redirect carries in its fragment. */
export function fragmentTokens(location: URL): {
  access_token: string;
  refresh_token: string;
  type: string | null;
} {
  const params = new URLSearchParams(location.hash.slice(1));
  return {
    access_token: params.get('access_token') ?? '',
    refresh_token: params.get('refresh_token') ?? '',
    type: params.get('type'),
  };
}
