import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import type { Clock } from '../../shared/clock.ts';
import { generationTopic } from '../../shared/generations/events.ts';
import type { Logger } from '../../shared/log.ts';

export interface PresenceOptions {
  supabaseUrl: string;
  serviceRoleKey: string;
  clock: Clock;
  log: Logger;
  /** How often watchers are counted. Default 1 s. */
  checkMs?: number;
  /** A WebSocket constructor for Node (tests pass `ws`); the global one by default. */
  transport?: unknown;
}

/**
 * Watches who watches a generation: clients announce themselves with Realtime presence
 * (`channel.track(…)`) on `generation:<id>`, and a generation asked to be cancelled on
 * disconnect is cancelled once nobody has been present for the grace period. The worker
 * joins with the service role and never tracks itself. While it is not joined (Realtime
 * unreachable), it counts the generation as watched: it never cancels on its own blindness.
 */
export class PresenceWatcher {
  private readonly client: SupabaseClient;
  private readonly opts: PresenceOptions;

  constructor(opts: PresenceOptions) {
    this.opts = opts;
    this.client = createClient(opts.supabaseUrl, opts.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: opts.transport ? { transport: opts.transport as never } : undefined,
    });
  }

  /** Calls `onAbandoned` once when nobody has watched for `graceMs`; returns a stop function. */
  watch(generationId: string, graceMs: number, onAbandoned: () => void): () => void {
    const { clock, log } = this.opts;
    const channel: RealtimeChannel = this.client.channel(generationTopic(generationId), {
      config: { private: true },
    });
    let joined = false;
    let fired = false;
    let lastWatched = clock.now();
    const check = () => {
      if (fired) return;
      const present = joined ? Object.keys(channel.presenceState()).length : 1;
      if (present > 0) lastWatched = clock.now();
      else if (clock.now() - lastWatched >= graceMs) {
        fired = true;
        log.info('nobody watches the generation; cancelling it', { generation: generationId });
        onAbandoned();
      }
    };
    channel.on('presence', { event: 'sync' }, check);
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') {
        joined = true;
        check();
      } else {
        if (joined) lastWatched = clock.now();
        joined = false;
        if (status !== 'CLOSED') log.warn('presence channel unavailable', { status, err });
      }
    });
    const timer = setInterval(check, this.opts.checkMs ?? 1000);
    return () => {
      clearInterval(timer);
      void this.client.removeChannel(channel);
    };
  }

  async close(): Promise<void> {
    await this.client.removeAllChannels();
  }
}
