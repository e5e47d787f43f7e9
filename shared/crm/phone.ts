/**
 * Phone numbers as the CRM keeps them: E.164 (`+` and 7 to 15 digits, no leading zero), what
 * WhatsApp identifies a person by. Meta's `wa_id` is the same number without the `+`.
 */

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The E.164 form of a number written with spaces, dashes, dots or brackets, and `+` or `00`
 * before the country code; undefined when it is not a full international number.
 *
 * @example
 * toE164('+34 612-34-56-78'); // '+34612345678'
 * toE164('0034612345678');    // '+34612345678'
 * toE164('612345678');        // undefined: no country code
 */
export function toE164(input: string): string | undefined {
  const trimmed = input.trim();
  if (!/^(\+|00)?[\d\s().-]+$/.test(trimmed)) return undefined;
  const international = trimmed.startsWith('+') || trimmed.startsWith('00');
  if (!international) return undefined;
  const digits = trimmed.replace(/\D/g, '').replace(/^00/, '');
  const e164 = `+${digits}`;
  return E164.test(e164) ? e164 : undefined;
}

/** A `wa_id` (digits) as E.164; undefined when it cannot be one. */
export function waIdToE164(waId: string): string | undefined {
  return /^\d+$/.test(waId) ? toE164(`+${waId}`) : undefined;
}

/** Whether a search text is a phone number (or part of one): digits and phone punctuation. */
export function phoneDigitsOf(q: string): string | undefined {
  if (!/^\+?[\d\s().-]+$/.test(q.trim())) return undefined;
  const digits = q.replace(/\D/g, '');
  return digits.length >= 3 ? digits : undefined;
}
