import { describe, expect, it } from 'vitest';
import {
  flattenDelivery,
  type IntakeItem,
  isKnownInteractive,
  isKnownMessage,
  KNOWN_MESSAGE_TYPES,
  type MessageItem,
  parseDelivery,
  type StatusItem,
} from '../../../shared/whatsapp/webhook.ts';
import {
  contacts,
  DISPLAY_NUMBER,
  delivery,
  inboundExamples,
  PHONE_NUMBER_ID,
  pricing,
  reEngagementError,
  status,
  USER,
  WABA_ID,
  wamid,
} from '../../fixtures/whatsapp.ts';

const flat = (json: unknown): IntakeItem[] => {
  const parsed = parseDelivery(json);
  if (!parsed.success) throw new Error(parsed.error.message);
  return flattenDelivery(parsed.data);
};

describe('webhook deliveries', () => {
  it.each(Object.entries(inboundExamples))('parses an inbound %s message', (_, message) => {
    const [item] = flat(delivery({ contacts, messages: [message] })) as MessageItem[];
    expect(item).toMatchObject({
      kind: 'message',
      key: `message:${message.id}`,
      messageId: message.id,
      wabaId: WABA_ID,
      phoneNumberId: PHONE_NUMBER_ID,
      displayPhoneNumber: DISPLAY_NUMBER,
      from: USER,
      type: message.type,
      sentAt: 1750090702000,
      contact: { wa_id: USER, profile: { name: 'Sheena Nelson' } },
    });
    expect(isKnownMessage(item!.message)).toBe(true);
  });

  it('gives processing typed payloads of known types', () => {
    const [text, location, reply] = flat(
      delivery({
        messages: [inboundExamples.text, inboundExamples.location, inboundExamples.button_reply],
      }),
    ) as MessageItem[];
    const seen: string[] = [];
    for (const { message } of [text!, location!, reply!]) {
      if (!isKnownMessage(message)) continue;
      if (message.type === 'text') seen.push(message.text.body);
      if (message.type === 'location') seen.push(`${message.location.latitude}`);
      if (message.type !== 'interactive' || !isKnownInteractive(message.interactive)) continue;
      if (message.interactive.type === 'button_reply') {
        seen.push(message.interactive.button_reply.id);
      }
    }
    expect(seen).toEqual(['Does it come in another color?', '37.483307', 'cancel-button']);
  });

  it('keeps fields Meta adds, at every level', () => {
    const message = {
      ...inboundExamples.text,
      brand_new: { nested: 1 },
      text: { body: 'hi', also_new: true },
    };
    const json = delivery({ messages: [message] });
    (json.entry[0] as Record<string, unknown>).time = 1750090702;
    const parsed = parseDelivery(json);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.entry[0]).toMatchObject({ time: 1750090702 });
    const [item] = flattenDelivery(parsed.data!) as MessageItem[];
    expect(item?.message).toMatchObject({ brand_new: { nested: 1 }, text: { also_new: true } });
  });

  it('keeps a message of a type it does not know, unnarrowed', () => {
    const message = { ...inboundExamples.text, type: 'poll_vote', poll_vote: { option: 2 } };
    delete (message as Record<string, unknown>).text;
    const [item] = flat(delivery({ messages: [message] })) as MessageItem[];
    expect(item).toMatchObject({ kind: 'message', type: 'poll_vote' });
    expect(isKnownMessage(item!.message)).toBe(false);
    expect(KNOWN_MESSAGE_TYPES.has('text')).toBe(true);
  });

  it('keeps a reply to an interactive message of a kind it does not know', () => {
    const reply = { type: 'call_permission_reply', call_permission_reply: { response: 'accept' } };
    const message = { ...inboundExamples.button_reply, interactive: reply };
    const [item] = flat(delivery({ messages: [message] })) as MessageItem[];
    const parsed = item!.message;
    expect(isKnownMessage(parsed) && parsed.type === 'interactive').toBe(true);
    if (isKnownMessage(parsed) && parsed.type === 'interactive') {
      expect(isKnownInteractive(parsed.interactive)).toBe(false);
      expect(parsed.interactive).toEqual(reply);
    }
  });

  it('refuses a known type without what processing reads', () => {
    const broken = [
      { ...inboundExamples.text, text: {} },
      { ...inboundExamples.image, image: { caption: 'no id' } },
      { ...inboundExamples.location, location: { latitude: 'north' } },
      { ...inboundExamples.reaction, reaction: { emoji: '👍' } },
      { ...inboundExamples.button_reply, interactive: { type: 'button_reply' } },
      { ...inboundExamples.text, id: '' },
      { ...inboundExamples.text, from: undefined },
    ];
    for (const message of broken) {
      expect(parseDelivery(delivery({ messages: [message] })).success).toBe(false);
    }
  });

  it('refuses what is not a WhatsApp delivery', () => {
    const ok = delivery({ messages: [inboundExamples.text] });
    expect(parseDelivery({ ...ok, object: 'page' }).success).toBe(false);
    expect(parseDelivery({ object: 'whatsapp_business_account' }).success).toBe(false);
    const noNumber = delivery({});
    delete (noNumber.entry[0]!.changes[0]!.value as Record<string, unknown>).metadata;
    expect(parseDelivery(noNumber).success).toBe(false);
    expect(parseDelivery('[]').success).toBe(false);
  });

  it('flattens statuses, keyed by message id and status, with the errors of a failure', () => {
    const id = wamid();
    const items = flat(
      delivery({
        statuses: [
          status(id, 'sent', {
            conversation: {
              id: 'c1',
              expiration_timestamp: '1750350173',
              origin: { type: 'service' },
            },
            pricing,
          }),
          status(id, 'delivered', { pricing }),
          status(id, 'read'),
          status(id, 'failed', { errors: [reEngagementError] }),
        ],
      }),
    ) as StatusItem[];
    expect(items.map((i) => i.key)).toEqual(
      ['sent', 'delivered', 'read', 'failed'].map((s) => `status:${id}:${s}`),
    );
    expect(items[3]).toMatchObject({
      kind: 'status',
      messageId: id,
      status: 'failed',
      recipientId: USER,
      at: 1750263773000,
      errors: [{ code: 131047, error_data: { details: expect.stringMatching(/24 hours/) } }],
    });
    expect(items[0]?.payload.pricing).toMatchObject({ pricing_model: 'PMP' });
  });

  it('yields the same keys for a retried delivery, and each key once per delivery', () => {
    const message = inboundExamples.text;
    const id = wamid();
    const json = delivery({ messages: [message, message], statuses: [status(id, 'read')] });
    const first = flat(json).map((i) => i.key);
    expect(first).toEqual([`message:${message.id}`, `status:${id}:read`]);
    expect(flat(structuredClone(json)).map((i) => i.key)).toEqual(first);
  });

  it('flattens number-level errors with a stable key, and passes other fields through', () => {
    const error = {
      code: 130429,
      title: 'Rate limit hit',
      message: 'Rate limit hit',
      error_data: { details: 'Too many messages' },
    };
    const json = delivery({ errors: [error] });
    json.entry[0]!.changes.push({
      field: 'message_template_status_update',
      value: { event: 'APPROVED', message_template_id: 1 },
    } as never);
    const items = flat(json);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'error', code: 130429, error });
    expect(items[0]?.key).toMatch(new RegExp(`^error:${PHONE_NUMBER_ID}:130429:[0-9a-f]{8}$`));
    expect(flat(structuredClone(json))[0]?.key).toBe(items[0]?.key);
  });

  it('finds the sender among several contacts, by wa_id', () => {
    const other = { profile: { name: 'Someone Else' }, wa_id: '15550000000' };
    const [item] = flat(
      delivery({ contacts: [other, ...contacts], messages: [inboundExamples.text] }),
    ) as MessageItem[];
    expect(item?.contact?.profile?.name).toBe('Sheena Nelson');
  });
});
