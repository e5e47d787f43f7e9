/**
 * The two Phoenix serializers Realtime speaks: `1.0.0` (JSON objects; replies and pushes carry
 * no join_ref) and `2.0.0` (JSON arrays `[join_ref, ref, topic, event, payload]`, plus binary
 * frames: kind 3 "user broadcast push" from clients, kind 4 "user broadcast" to clients).
 */
export type Vsn = '1.0.0' | '2.0.0';

/** A broadcast whose payload travels as raw bytes: JSON text or binary. */
export interface UserBroadcast {
  event: string;
  encoding: 'json' | 'binary';
  data: Buffer;
  meta?: Record<string, unknown>;
}

export interface InMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
  /** Set for binary user broadcast pushes (2.0.0 only). */
  user?: UserBroadcast;
}

/** What a channel delivers to its subscribers: a JSON broadcast or a user broadcast. */
export type Outbound =
  | { kind: 'json'; event: string; payload: unknown }
  | { kind: 'user'; broadcast: UserBroadcast };

const USER_BROADCAST_PUSH = 3;
const USER_BROADCAST = 4;
const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? null : String(v));

/** Decodes one frame; throws on anything that is not a well-formed message. */
export function decode(vsn: Vsn, data: Buffer, isBinary: boolean): InMessage {
  if (isBinary) {
    if (vsn !== '2.0.0') throw new Error('binary frames need vsn 2.0.0');
    return decodeBinary(data);
  }
  const parsed: unknown = JSON.parse(data.toString('utf8'));
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length < 5) throw new Error('expected V2 array');
    const [joinRef, ref, topic, event, payload] = parsed;
    return check({ joinRef: str(joinRef), ref: str(ref), topic, event, payload });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('expected V1 object');
  }
  const m = parsed as Record<string, unknown>;
  return check({
    joinRef: str(m.join_ref),
    ref: str(m.ref),
    topic: m.topic,
    event: m.event,
    payload: m.payload,
  });
}

function check(m: Omit<InMessage, 'topic' | 'event'> & { topic: unknown; event: unknown }) {
  if (typeof m.topic !== 'string' || typeof m.event !== 'string') {
    throw new Error('missing topic or event');
  }
  return m as InMessage;
}

function decodeBinary(b: Buffer): InMessage {
  if (b[0] !== USER_BROADCAST_PUSH || b.length < 7) throw new Error('unsupported binary frame');
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encoding] = [...b.subarray(1, 7)];
  let at = 7;
  const take = (n = 0) => {
    if (at + n > b.length) throw new Error('truncated binary frame');
    const part = b.subarray(at, at + n);
    at += n;
    return part;
  };
  const joinRef = take(joinRefLen).toString('utf8');
  const ref = take(refLen).toString('utf8');
  const topic = take(topicLen).toString('utf8');
  const event = take(eventLen).toString('utf8');
  const meta = take(metaLen).toString('utf8');
  const data = Buffer.from(b.subarray(at));
  const user: UserBroadcast = { event, encoding: encoding === 0 ? 'binary' : 'json', data };
  if (user.encoding === 'json') JSON.parse(data.toString('utf8')); // reject bad JSON here
  if (meta) user.meta = JSON.parse(meta);
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event: 'broadcast',
    payload: {},
    user,
  };
}

/** A reply to a client message (`phx_reply`). */
export function encodeReply(
  vsn: Vsn,
  m: { joinRef: string | null; ref: string | null; topic: string },
  status: string,
  response: unknown,
): string {
  const payload = { status, response };
  if (vsn === '2.0.0') return JSON.stringify([m.joinRef, m.ref, m.topic, 'phx_reply', payload]);
  return JSON.stringify({ topic: m.topic, event: 'phx_reply', payload, ref: m.ref });
}

/** A message the server pushes on a channel (`system`, `presence_state`, `phx_close`…). */
export function encodePush(
  vsn: Vsn,
  topic: string,
  event: string,
  payload: unknown,
  joinRef: string | null,
  ref: string | null = null,
): string {
  if (vsn === '2.0.0') return JSON.stringify([joinRef, ref, topic, event, payload]);
  return JSON.stringify({ topic, event, payload, ref });
}

/**
 * A broadcast to a subscriber. `1.0.0` clients cannot represent binary payloads, so those
 * are not delivered to them (null), as on Realtime.
 */
export function encodeOutbound(vsn: Vsn, topic: string, out: Outbound): string | Buffer | null {
  if (out.kind === 'json') return encodePush(vsn, topic, out.event, out.payload, null);
  const { event, encoding, data, meta } = out.broadcast;
  if (vsn === '2.0.0') {
    const t = Buffer.from(topic);
    const e = Buffer.from(event);
    const m = meta ? Buffer.from(JSON.stringify(meta)) : Buffer.alloc(0);
    if (t.length > 255 || e.length > 255 || m.length > 255) return null;
    const head = Buffer.from([
      USER_BROADCAST,
      t.length,
      e.length,
      m.length,
      encoding === 'json' ? 1 : 0,
    ]);
    return Buffer.concat([head, t, e, m, data]);
  }
  if (encoding !== 'json') return null;
  // The JSON payload is spliced in as it arrived, as Realtime does with a JSON fragment.
  const metaPart = meta ? `,"meta":${JSON.stringify(meta)}` : '';
  const payload = `{"event":${JSON.stringify(event)},"payload":${data.toString('utf8')},"type":"broadcast"${metaPart}}`;
  return `{"topic":${JSON.stringify(topic)},"event":"broadcast","payload":${payload},"ref":null}`;
}
