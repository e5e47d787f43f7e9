import {
  type InboundMessage,
  isKnownInteractive,
  isKnownMessage,
} from '../whatsapp/webhook-messages.ts';

/**
 * What the CRM keeps of an inbound message besides the message itself: the line a person
 * reads in the inbox, the text the classifier reads, the media to fetch and what it answers.
 */
export interface InboundSummary {
  /** The CRM's type column: Meta's type, or `unsupported` for one it cannot store. */
  type: string;
  body: string | null;
  /** Words the client wrote (text, captions, replies), for the classifier; null if none. */
  text: string | null;
  media: {
    id: string;
    mime_type: string;
    sha256?: string;
    filename?: string;
    caption?: string;
    voice?: boolean;
  } | null;
  /** The wamid this message replies or reacts to. */
  replyTo: string | null;
}

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

const clip = (s: string | undefined | null, n = 8000) => (s ? s.slice(0, n) : null);

/**
 * Summarises an inbound message of any type Meta sends.
 *
 * @example
 * summarise(message).body; // 'Does it come in another color?' or '📍 Meta HQ, 1 Hacker Way'
 */
export function summarise(message: InboundMessage): InboundSummary {
  const type = /^[a-z_]{1,32}$/.test(message.type) ? message.type : 'unsupported';
  const replyTo = message.context?.id ?? null;
  const base = { type, media: null, replyTo } as InboundSummary;
  if (!isKnownMessage(message)) return { ...base, body: `[${type} message]`, text: null };
  switch (message.type) {
    case 'text':
      return { ...base, body: clip(message.text.body), text: message.text.body };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const m = message[message.type] as Record<string, unknown> & {
        id: string;
        mime_type: string;
      };
      const caption = typeof m.caption === 'string' ? m.caption : undefined;
      const filename = typeof m.filename === 'string' ? m.filename : undefined;
      const label = message.type === 'audio' && m.voice ? 'voice note' : message.type;
      return {
        ...base,
        body: clip(caption) ?? (filename ? `[${label}] ${filename}` : `[${label}]`),
        text: caption ?? null,
        media: {
          id: m.id,
          mime_type: m.mime_type,
          ...(typeof m.sha256 === 'string' ? { sha256: m.sha256 } : {}),
          ...(filename ? { filename } : {}),
          ...(caption ? { caption } : {}),
          ...(m.voice === true ? { voice: true } : {}),
        },
      };
    }
    case 'location': {
      const l = message.location;
      const place = [l.name, l.address].filter(Boolean).join(', ');
      return { ...base, body: `📍 ${place || `${l.latitude}, ${l.longitude}`}`, text: null };
    }
    case 'contacts': {
      const names = message.contacts.map((c) => c.name?.formatted_name ?? 'a contact');
      return { ...base, body: `👤 ${names.join(', ')}`, text: null };
    }
    case 'interactive': {
      const r = message.interactive;
      if (!isKnownInteractive(r)) return { ...base, body: `[${r.type}]`, text: null };
      const title =
        r.type === 'button_reply'
          ? r.button_reply.title
          : r.type === 'list_reply'
            ? r.list_reply.title
            : (r.nfm_reply.body ?? 'Form sent');
      return { ...base, body: clip(title), text: title };
    }
    case 'button':
      return { ...base, body: clip(message.button.text), text: message.button.text };
    case 'reaction': {
      const emoji = message.reaction.emoji;
      return {
        ...base,
        body: emoji ? `Reacted ${emoji}` : 'Removed a reaction',
        text: null,
        replyTo: message.reaction.message_id,
      };
    }
    case 'order': {
      const n = message.order.product_items.reduce((sum, i) => sum + Number(i.quantity), 0);
      const text = message.order.text;
      return {
        ...base,
        body: `🛒 ${n} item${n === 1 ? '' : 's'}${text ? `: ${text}` : ''}`,
        text: text ?? null,
      };
    }
    case 'system':
      return { ...base, body: clip(message.system.body), text: null };
    case 'request_welcome':
      return { ...base, body: '[opened the chat]', text: null };
    default:
      return { ...base, body: `[${type} message]`, text: null };
  }
}

/** Whether a type carries media to fetch. */
export const hasMedia = (type: string) => MEDIA_TYPES.has(type);
