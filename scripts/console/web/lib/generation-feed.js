/**
 * A generation's events, each once and in seq order, live. The Realtime channel
 * `generation:<id>` carries them as they are appended; once joined, what came before is
 * replayed from `GET /generations/{id}/events`, and a gap (a broadcast missed) is replayed
 * too. When the channel cannot be joined, the SSE stream (`/generations/{id}/stream`, which
 * resumes with `after`) carries them instead. All three send the same JSON event.
 */
import { subscribe } from './live.js';

/**
 * Follows generation `id`: `onEvent(event)` runs for every event in seq order, from the
 * first; `onState(state)` with a subscribe status, `stream`, or `ended` after the Result.
 *
 * @example
 * followGeneration(ctx, id, { onEvent: show, onState: (s) => badge.set(s) });
 */
export function followGeneration(ctx, id, { onEvent, onState }) {
  const gid = encodeURIComponent(id);
  const early = new Map();
  let last = 0;
  let ended = false;
  let replaying = null;
  let streaming = false;
  const aborter = new AbortController();
  ctx.onLeave(() => aborter.abort());

  function deliver(event) {
    if (ended || event.seq <= last) return;
    early.set(event.seq, event);
    while (early.has(last + 1)) {
      const next = early.get(last + 1);
      early.delete(last + 1);
      last = next.seq;
      onEvent(next);
      if (next.type === 'Result') return end();
    }
    // Something between was missed: ask the API for it.
    if (early.size > 0 && !streaming) void replay();
  }

  function end() {
    ended = true;
    early.clear();
    live.stop();
    aborter.abort();
    onState('ended');
  }

  function replay() {
    replaying ??= (async () => {
      let after = last;
      while (!ended) {
        const page = await ctx.api.call('api', `/generations/${gid}/events`, {
          query: { after, limit: 500 },
        });
        for (const event of page.data) deliver(event);
        if (page.next_after === null) break;
        after = page.next_after;
      }
    })()
      .catch(fail)
      .finally(() => {
        replaying = null;
      });
    return replaying;
  }

  async function stream() {
    if (streaming || ended) return;
    streaming = true;
    onState('stream');
    // A response lasts two minutes at most; it is resumed after the last event seen.
    while (!ended && !aborter.signal.aborted) {
      try {
        await ctx.api.stream('api', `/generations/${gid}/stream`, {
          query: { after: last },
          signal: aborter.signal,
          onMessage: deliver,
        });
      } catch (err) {
        if (aborter.signal.aborted) return;
        return fail(err);
      }
    }
  }

  function fail(err) {
    if (!ctx.handle(err)) console.error(err);
  }

  const live = subscribe(ctx, `generation:${id}`, {
    onMessage: (_type, event) => deliver(event),
    onStatus: (status) => {
      if (ended) return;
      if (status === 'SUBSCRIBED') {
        onState(status);
        void replay();
      } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
        live.stop();
        void stream();
      }
    },
  });
  onState('connecting');
  return { stop: end };
}
