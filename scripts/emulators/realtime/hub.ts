import { randomBytes } from 'node:crypto';
import { encodeOutbound, type Outbound, type Vsn } from './serializer.ts';

/** A joined channel as the hub sees it. */
export interface Subscriber {
  readonly id: number;
  /** The topic the client joined, e.g. `realtime:room:1`. */
  readonly topic: string;
  readonly vsn: Vsn;
  /** Private channels receive broadcasts and presence only with the matching read policy. */
  canRead(kind: 'broadcast' | 'presence'): boolean;
  send(frame: string | Buffer): void;
}

/** Public and private channels of the same name are separate topics, as on Realtime. */
export const hubKey = (subTopic: string, isPrivate: boolean) =>
  `${isPrivate ? 'private' : 'public'}:${subTopic}`;

/**
 * In-process pub/sub between channels. A message is encoded once per serializer and topic,
 * then written to each subscriber.
 */
export class Hub {
  private readonly topics = new Map<string, Set<Subscriber>>();

  subscribe(key: string, sub: Subscriber) {
    const subs = this.topics.get(key) ?? new Set();
    subs.add(sub);
    this.topics.set(key, subs);
  }

  unsubscribe(key: string, sub: Subscriber) {
    const subs = this.topics.get(key);
    subs?.delete(sub);
    if (subs?.size === 0) this.topics.delete(key);
  }

  /** Delivers `out` to every subscriber of `key` allowed to read it, except `except`. */
  publish(
    key: string,
    out: Outbound,
    opts: { kind: 'broadcast' | 'presence'; except?: Subscriber },
  ): number {
    const cache = new Map<string, string | Buffer | null>();
    let delivered = 0;
    for (const sub of this.topics.get(key) ?? []) {
      if (sub === opts.except || !sub.canRead(opts.kind)) continue;
      const cacheKey = `${sub.vsn} ${sub.topic}`;
      if (!cache.has(cacheKey)) cache.set(cacheKey, encodeOutbound(sub.vsn, sub.topic, out));
      const frame = cache.get(cacheKey);
      if (frame == null) continue;
      sub.send(frame);
      delivered += 1;
    }
    return delivered;
  }
}

type Meta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
type Grouped = Record<string, { metas: Meta[] }>;

const newRef = () => randomBytes(12).toString('base64url');

function group(entries: Iterable<{ key: string; meta: Meta }>): Grouped {
  const out: Grouped = {};
  for (const { key, meta } of entries) {
    const slot = out[key] ?? { metas: [] };
    slot.metas.push(meta);
    out[key] = slot;
  }
  return out;
}

/**
 * Phoenix Presence for one node: who tracks what under which key, per hub topic, and the
 * `presence_diff` each change produces (`{joins, leaves}` grouped by key, metas carrying
 * `phx_ref`, and `phx_ref_prev` on an update).
 */
export class PresenceTracker {
  private readonly topics = new Map<string, Map<Subscriber, { key: string; meta: Meta }>>();

  private readonly hub: Hub;

  constructor(hub: Hub) {
    this.hub = hub;
  }

  /** Tracks (or updates) `sub` under `key` with `payload`, and publishes the diff. */
  track(topic: string, sub: Subscriber, key: string, payload: Record<string, unknown>) {
    const entries = this.topics.get(topic) ?? new Map();
    this.topics.set(topic, entries);
    const prior = entries.get(sub);
    const meta: Meta = { ...payload, phx_ref: newRef() };
    if (prior) meta.phx_ref_prev = prior.meta.phx_ref;
    entries.set(sub, { key, meta });
    const leaves = prior ? group([prior]) : {};
    this.diff(topic, group([{ key, meta }]), leaves);
  }

  /** Stops tracking `sub` on `topic`, if it was tracked, and publishes the leave. */
  untrack(topic: string, sub: Subscriber) {
    const entries = this.topics.get(topic);
    const prior = entries?.get(sub);
    if (!entries || !prior) return;
    entries.delete(sub);
    if (entries.size === 0) this.topics.delete(topic);
    this.diff(topic, {}, group([prior]));
  }

  /** The `presence_state` payload for `topic`. */
  list(topic: string): Grouped {
    return group(this.topics.get(topic)?.values() ?? []);
  }

  private diff(topic: string, joins: Grouped, leaves: Grouped) {
    this.hub.publish(
      topic,
      { kind: 'json', event: 'presence_diff', payload: { joins, leaves } },
      { kind: 'presence' },
    );
  }
}
