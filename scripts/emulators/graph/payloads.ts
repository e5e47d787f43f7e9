import { randomBytes } from 'node:crypto';
import type {
  InboundMessage,
  WebhookContact,
  WebhookDelivery,
  WebhookError,
  WebhookStatus,
} from '../../../shared/whatsapp/webhook.ts';

/** The business number a delivery is about, as Meta names it in `metadata`. */
export interface NumberInfo {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

/** A message id in Meta's shape: `wamid.` and base64. */
export function newWamid(waId: string): string {
  const body = Buffer.concat([Buffer.from(`HBgL${waId}FQIAERgS`), randomBytes(18)]);
  return `wamid.${body.toString('base64')}`;
}

/** A numeric id, as Meta gives media and other objects. */
export const newGraphId = () =>
  (BigInt(`0x${randomBytes(7).toString('hex')}`) + 10n ** 15n).toString();

/** Digits only: Meta's `wa_id` for a phone number written any way. */
export const waIdOf = (phone: string) => phone.replace(/\D/g, '');

/** Unix seconds as a string, as Meta writes timestamps. */
export const seconds = (ms: number) => String(Math.floor(ms / 1000));

function envelope(number: NumberInfo, value: Record<string, unknown>): WebhookDelivery {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: number.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: number.displayPhoneNumber,
                phone_number_id: number.phoneNumberId,
              },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** A status webhook for one outbound message. */
export function statusDelivery(
  number: NumberInfo,
  status: {
    id: string;
    status: 'sent' | 'delivered' | 'read' | 'failed';
    at: number;
    recipientId: string;
    template: boolean;
    bizOpaqueCallbackData?: string;
    errors?: WebhookError[];
  },
): WebhookDelivery {
  const payload: WebhookStatus = {
    id: status.id,
    status: status.status,
    timestamp: seconds(status.at),
    recipient_id: status.recipientId,
    ...(status.bizOpaqueCallbackData
      ? { biz_opaque_callback_data: status.bizOpaqueCallbackData }
      : {}),
  };
  if (status.errors) payload.errors = status.errors;
  else {
    // Per-message pricing, as Meta reports it since v24.0 (no `conversation` object).
    payload.pricing = {
      billable: status.template,
      pricing_model: 'PMP',
      type: status.template ? 'regular' : 'free_customer_service',
      category: status.template ? 'utility' : 'service',
    };
  }
  return envelope(number, { statuses: [payload] });
}

/** An inbound message webhook, with the sender's profile in `contacts`. */
export function messageDelivery(
  number: NumberInfo,
  message: InboundMessage,
  profileName: string,
): WebhookDelivery {
  const contact: WebhookContact = { profile: { name: profileName }, wa_id: message.from };
  return envelope(number, { contacts: [contact], messages: [message] });
}
