import type { Clock } from '../../../shared/clock.ts';
import type { GraphFault } from './errors.ts';
import type { MediaStore } from './media.ts';
import type { Outbox } from './outbox.ts';
import type { NumberInfo } from './payloads.ts';

/** When each status of an accepted message is posted, in ms after the send. */
export interface StatusDelays {
  sent: number;
  delivered: number;
  read: number;
}

/** An outbound message the emulator accepted. */
export interface SentMessage {
  id: string;
  phoneNumberId: string;
  /** The recipient's wa_id (digits). */
  to: string;
  type: string;
  /** The request body as sent. */
  body: Record<string, unknown>;
  at: number;
  /** Whether it was refused later for the closed 24-hour window (a `failed` 131047 status). */
  outsideWindow: boolean;
}

/** A fault the next matching requests get instead of their answer. */
export interface ArmedFault extends GraphFault {
  /** Which requests: sends, media calls, or any Graph request. Default `messages`. */
  route?: 'messages' | 'media' | 'any';
  /** How many requests get it. Default 1. */
  times?: number;
}

/** What every route of the emulator shares. */
export interface GraphState {
  clock: Clock;
  outbox: Outbox;
  media: MediaStore;
  delays: StatusDelays;
  readReceipts: boolean;
  accessTokens?: ReadonlySet<string>;
  /** Last inbound message per `phone_number_id:wa_id`, in ms: the 24-hour window. */
  lastInbound: Map<string, number>;
  sent: SentMessage[];
  faults: ArmedFault[];
  number(phoneNumberId: string): NumberInfo;
}

/** Hono bindings: the emulator's public root (origin and base path) for URLs it hands out. */
export type GraphEnv = { Bindings: { base: string } };

/** The customer service window: free-form messages within 24 hours of the user's last one. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60_000;

export const windowKey = (phoneNumberId: string, waId: string) => `${phoneNumberId}:${waId}`;
