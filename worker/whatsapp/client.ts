import { type Clock, systemClock } from '../../shared/clock.ts';
import {
  type MediaInfo,
  mediaInfoSchema,
  mediaUploadResponseSchema,
  type OutboundMessage,
  sendMessageResponseSchema,
} from '../../shared/whatsapp/graph-types.ts';
import type { GraphConfig } from './config.ts';
import { GraphTransportError } from './errors.ts';
import { type GraphAttempt, type RequestContext, withRetries } from './request.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, sleep } from './retry.ts';

/** A WhatsApp business number as the worker calls Meta for it. */
export interface GraphChannel {
  phoneNumberId: string;
  /** The channel's (decrypted) access token; sent only as a bearer token, never logged. */
  accessToken: string;
}

export interface GraphClientOptions {
  config: GraphConfig;
  clock?: Clock;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Jitter source; a test passes a constant. */
  random?: () => number;
  /** How backoff waits; a test passes one that advances its manual clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** One attempt's limit. Default 30 s. */
  timeoutMs?: number;
  /** Every attempt of every call, for the caller to record. */
  onAttempt?: (attempt: GraphAttempt) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** This call's attempts, in addition to the client's `onAttempt`. */
  onAttempt?: (attempt: GraphAttempt) => void;
}

export interface SentMessage {
  /** The wamid; statuses for it arrive by webhook. */
  id: string;
  /** The recipient as Meta resolved it (digits). */
  waId: string | null;
  /** `accepted` for templates; absent for other types. */
  messageStatus: string | null;
}

export interface DownloadedMedia {
  bytes: Uint8Array;
  mimeType: string;
  sha256: string;
  fileSize: number;
}

/**
 * Meta's Graph API for WhatsApp Cloud API messaging, with retries and backoff, each attempt
 * reported. Errors are GraphApiError (Meta's code, e.g. 190, 131047) or GraphTransportError.
 *
 * @example
 * const graph = createGraphClient({ config: graphConfigFromEnv(process.env) });
 * const { id } = await graph.sendMessage(channel, { to: '+16505551234', type: 'text', text: { body: 'Hi' } });
 */
export class GraphClient {
  private readonly opts: GraphClientOptions;
  private readonly policy: RetryPolicy;

  constructor(opts: GraphClientOptions) {
    this.opts = opts;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  }

  /** Sends a message; resolves with its wamid once Meta accepted it. */
  async sendMessage(channel: GraphChannel, message: OutboundMessage, call: CallOptions = {}) {
    const body = { messaging_product: 'whatsapp', recipient_type: 'individual', ...message };
    return withRetries(
      this.context(call),
      'send_message',
      () => this.json(channel, `${channel.phoneNumberId}/messages`, body),
      async (res): Promise<SentMessage> => {
        const parsed = sendMessageResponseSchema.parse(await res.json());
        const first = parsed.messages[0];
        return {
          id: first?.id ?? '',
          waId: parsed.contacts[0]?.wa_id ?? null,
          messageStatus: first?.message_status ?? null,
        };
      },
    );
  }

  /** Marks an inbound message read (the user sees blue ticks). */
  async markRead(channel: GraphChannel, messageId: string, call: CallOptions = {}) {
    const body = { messaging_product: 'whatsapp', status: 'read', message_id: messageId };
    await withRetries(
      this.context(call),
      'mark_read',
      () => this.json(channel, `${channel.phoneNumberId}/messages`, body),
      async (res) => void (await res.body?.cancel()),
    );
  }

  /** Uploads media for sending by id; resolves with the media id. */
  async uploadMedia(
    channel: GraphChannel,
    file: { data: Blob | Uint8Array; mimeType: string; filename?: string },
    call: CallOptions = {},
  ): Promise<{ id: string }> {
    const blob =
      file.data instanceof Blob
        ? file.data
        : new Blob([file.data.slice()], { type: file.mimeType });
    return withRetries(
      this.context(call),
      'upload_media',
      () => {
        const form = new FormData();
        form.set('messaging_product', 'whatsapp');
        form.set('type', file.mimeType);
        form.set('file', blob, file.filename ?? 'file');
        return {
          url: this.url(`${channel.phoneNumberId}/media`),
          init: this.init(channel, 'POST', form),
        };
      },
      async (res) => ({ id: mediaUploadResponseSchema.parse(await res.json()).id }),
    );
  }

  /** The media's metadata and a short-lived download URL (five minutes at Meta). */
  async getMediaUrl(
    channel: GraphChannel,
    mediaId: string,
    call: CallOptions = {},
  ): Promise<MediaInfo> {
    const path = `${encodeURIComponent(mediaId)}?phone_number_id=${encodeURIComponent(channel.phoneNumberId)}`;
    return withRetries(
      this.context(call),
      'get_media',
      () => ({ url: this.url(path), init: this.init(channel, 'GET') }),
      async (res) => mediaInfoSchema.parse(await res.json()),
    );
  }

  /** Fetches media's bytes, checked against the SHA-256 Meta states. */
  async downloadMedia(
    channel: GraphChannel,
    mediaId: string,
    call: CallOptions = {},
  ): Promise<DownloadedMedia> {
    const info = await this.getMediaUrl(channel, mediaId, call);
    const bytes = await withRetries(
      this.context(call),
      'download_media',
      () => ({ url: info.url, init: this.init(channel, 'GET') }),
      async (res) => {
        const bytes = new Uint8Array(await res.arrayBuffer());
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
        const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
        if (hex !== info.sha256.toLowerCase()) {
          throw new GraphTransportError('downloaded media does not match its sha256', {
            retryable: true,
          });
        }
        return bytes;
      },
    );
    return { bytes, mimeType: info.mime_type, sha256: info.sha256, fileSize: info.file_size };
  }

  private url(path: string): string {
    return `${this.opts.config.baseUrl}/${this.opts.config.version}/${path}`;
  }

  private init(channel: GraphChannel, method: string, body?: BodyInit): RequestInit {
    return { method, headers: { authorization: `Bearer ${channel.accessToken}` }, body };
  }

  private json(channel: GraphChannel, path: string, body: unknown) {
    const init = this.init(channel, 'POST', JSON.stringify(body));
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
    return { url: this.url(path), init };
  }

  private context(call: CallOptions): RequestContext {
    const o = this.opts;
    return {
      fetch: o.fetch ?? ((input, init) => fetch(input, init)),
      clock: o.clock ?? systemClock,
      policy: this.policy,
      random: o.random ?? Math.random,
      sleep: o.sleep ?? sleep,
      timeoutMs: o.timeoutMs ?? 30_000,
      signal: call.signal,
      onAttempt: (a) => {
        o.onAttempt?.(a);
        call.onAttempt?.(a);
      },
    };
  }
}

/** The worker's Graph API client. */
export function createGraphClient(opts: GraphClientOptions): GraphClient {
  return new GraphClient(opts);
}
