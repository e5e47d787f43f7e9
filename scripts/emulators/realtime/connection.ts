import type { WebSocket } from 'ws';
import type { Channel } from './channel.ts';
import type { ChannelHost, RealtimeContext } from './context.ts';
import { handleIn } from './handlers.ts';
import { joinChannel } from './join.ts';
import { WindowCounter } from './limits.ts';
import { decode, encodePush, encodeReply, type Vsn } from './serializer.ts';

/** Frames waiting for their turn on one socket; past this they are dropped. */
const MAX_QUEUED = 256;

/**
 * One WebSocket: Phoenix's socket process. Frames are handled one at a time, in order, as
 * Phoenix does; each is counted first, so a client flooding the socket costs a counter
 * and at most a short queue, never unbounded memory.
 */
export class Connection implements ChannelHost {
  private readonly channels = new Map<string, Channel>();
  private readonly frames: WindowCounter;
  private queued = 0;
  private chain = Promise.resolve();
  private throttledWindow = false;
  lastSeen: number;
  dropped = 0;

  private readonly ctx: RealtimeContext;
  private readonly ws: WebSocket;
  readonly vsn: Vsn;
  readonly tenantToken: string;
  readonly headers: Record<string, string>;

  constructor(
    ctx: RealtimeContext,
    ws: WebSocket,
    vsn: Vsn,
    tenantToken: string,
    headers: Record<string, string>,
  ) {
    this.ctx = ctx;
    this.ws = ws;
    this.vsn = vsn;
    this.tenantToken = tenantToken;
    this.headers = headers;
    this.lastSeen = ctx.clock.now();
    this.frames = new WindowCounter(ctx.clock, 1000, ctx.settings.maxConnectionEventsPerSecond);
    ws.on('message', (data: Buffer, isBinary: boolean) => this.receive(data, isBinary));
    ws.on('close', () => this.gone());
    ws.on('error', () => this.gone());
  }

  private receive(data: Buffer, isBinary: boolean) {
    this.lastSeen = this.ctx.clock.now();
    if (!this.frames.hit()) {
      this.dropped += 1;
      if (!this.throttledWindow) {
        // Once per flood: every channel on this socket ends with the server's error.
        this.throttledWindow = true;
        for (const ch of [...this.channels.values()]) ch.shutdown('Too many messages per second');
      }
      return;
    }
    this.throttledWindow = false;
    if (this.queued >= MAX_QUEUED) {
      this.dropped += 1;
      return;
    }
    this.queued += 1;
    this.chain = this.chain
      .then(() => this.handle(data, isBinary))
      .catch((err: unknown) => this.ctx.log('error', `realtime socket: ${(err as Error).stack}`))
      .finally(() => {
        this.queued -= 1;
      });
  }

  private async handle(data: Buffer, isBinary: boolean) {
    let msg: ReturnType<typeof decode>;
    try {
      msg = decode(this.vsn, data, isBinary);
    } catch (err) {
      // Realtime logs MalformedWebSocketMessage, drops the frame and keeps the socket.
      this.ctx.log('debug', `MalformedWebSocketMessage: ${(err as Error).message}`);
      return;
    }
    if (msg.topic === 'phoenix' && msg.event === 'heartbeat') {
      return this.send(encodeReply(this.vsn, { ...msg, joinRef: null }, 'ok', {}));
    }
    const existing = this.channels.get(msg.topic);
    if (msg.event === 'phx_join') {
      // A second join on a topic closes the first channel, as Phoenix does.
      existing?.close();
      const channel = await joinChannel(this.ctx, this, msg);
      if (!channel) return;
      if (this.ws.readyState !== this.ws.OPEN) return channel.release();
      this.channels.set(msg.topic, channel);
      this.ctx.users.add(this);
      return;
    }
    if (existing) return handleIn(existing, msg);
    if (msg.event === 'phx_leave') return this.send(encodeReply(this.vsn, msg, 'ok', {}));
    this.send(encodeReply(this.vsn, msg, 'error', { reason: 'unmatched topic' }));
  }

  send(frame: string | Buffer) {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.ctx.settings.maxBufferedBytes) {
      // A client that does not read is cut off rather than buffered for without end.
      this.ctx.log('warn', 'realtime socket: client too slow, disconnecting');
      this.ws.terminate();
      return;
    }
    this.ws.send(frame);
  }

  channelCount() {
    return this.channels.size;
  }

  release(topic: string, joinRef: string | null) {
    const ch = this.channels.get(topic);
    if (ch && ch.joinRef === joinRef) this.channels.delete(topic);
    if (this.channels.size === 0) this.ctx.users.delete(this);
  }

  disconnect() {
    this.ws.close(1000);
  }

  /** Every channel on this socket, for expiry checks. */
  list(): Channel[] {
    return [...this.channels.values()];
  }

  /** Closes a socket that sent nothing within the heartbeat timeout. */
  expireIdle(now: number): boolean {
    if (now - this.lastSeen <= this.ctx.settings.heartbeatTimeoutMs) return false;
    this.ws.terminate();
    this.gone();
    return true;
  }

  private gone() {
    for (const ch of [...this.channels.values()]) ch.release();
    this.channels.clear();
    this.ctx.users.delete(this);
  }

  /** Pushes a server `system` disconnect to every channel and closes the socket. */
  close() {
    for (const ch of [...this.channels.values()]) {
      this.send(encodePush(this.vsn, ch.topic, 'phx_close', {}, ch.joinRef, ch.joinRef));
    }
    this.gone();
    this.ws.close(1001);
  }
}
