// The WhatsApp primitives in shared/ run on Deno as on Node: Web Crypto signatures and the
// webhook schema, with no std library.
import { signatureHeader, verifySignature } from '../../shared/whatsapp/signature.ts';
import { flattenDelivery, parseDelivery } from '../../shared/whatsapp/webhook.ts';

const SECRET = 'deno-app-secret';

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

Deno.test('X-Hub-Signature-256 signs and verifies raw bytes under Deno', async () => {
  const body = new TextEncoder().encode('{"object":"whatsapp_business_account","entry":[]}');
  const header = await signatureHeader(SECRET, body);
  assert(/^sha256=[0-9a-f]{64}$/.test(header), `unexpected header ${header}`);
  assert(await verifySignature(SECRET, body, header), 'a genuine signature must verify');
  const altered = body.slice();
  altered[altered.length - 2] = 0x20;
  assert(!(await verifySignature(SECRET, altered, header)), 'an altered body must not verify');
});

Deno.test('a delivery parses and flattens under Deno', () => {
  const parsed = parseDelivery({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '2' },
              messages: [
                {
                  from: '16505551234',
                  id: 'wamid.A',
                  timestamp: '1',
                  type: 'text',
                  text: { body: 'hi' },
                },
              ],
              statuses: [{ id: 'wamid.B', status: 'read', timestamp: '2', recipient_id: '1' }],
            },
          },
        ],
      },
    ],
  });
  assert(parsed.success, 'the delivery must parse');
  const keys = flattenDelivery(parsed.data).map((i) => i.key);
  assert(keys.join() === 'message:wamid.A,status:wamid.B:read', `unexpected keys ${keys}`);
});
