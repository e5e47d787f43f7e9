/**
 * Live updates over Realtime: private channels (`generation:<id>`, `crm:<project id>`) that
 * the database broadcasts on in the writer's transaction, and that RLS on
 * `realtime.messages` opens to members only. supabase-js hands Realtime the session's token.
 */
import { h } from './dom.js';

/** What a reader sees of a channel's state, by realtime-js's subscribe statuses. */
const LABELS = {
  connecting: 'Connecting…',
  SUBSCRIBED: 'Live',
  CHANNEL_ERROR: 'Not live',
  TIMED_OUT: 'Not live',
  CLOSED: 'Closed',
};

/**
 * Joins the private channel `topic`; `onMessage(event, payload)` gets every broadcast and
 * `onStatus(status, err)` every change of state. Left when the page is left.
 *
 * @example
 * const live = subscribe(ctx, `crm:${project.id}`, {
 *   onMessage: (event, payload) => { … },
 *   onStatus: (status) => badge.set(status),
 * });
 * live.stop();
 */
export function subscribe(ctx, topic, { onMessage, onStatus }) {
  const channel = ctx.supabase.channel(topic, { config: { private: true } });
  channel.on('broadcast', { event: '*' }, (message) => onMessage(message.event, message.payload));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void ctx.supabase.removeChannel(channel);
  };
  ctx.onLeave(stop);
  if (!stopped) {
    channel.subscribe((status, err) => {
      if (!stopped) onStatus?.(status, err);
    });
  }
  return { stop };
}

/**
 * A badge that says whether a view is live; `set(status)` takes a subscribe status, or
 * `stream` when the view follows the SSE stream instead.
 */
export function liveBadge() {
  const el = h('span', { class: 'badge live', 'data-testid': 'live', 'data-state': 'connecting' });
  const set = (status) => {
    el.dataset.state = status;
    // Kept once true: the view was live on its channel at some point.
    if (status === 'SUBSCRIBED') el.dataset.joined = 'true';
    el.textContent = status === 'stream' ? 'Live (stream)' : (LABELS[status] ?? status);
  };
  set('connecting');
  return { el, set };
}
