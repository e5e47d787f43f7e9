import { z } from '@hono/zod-openapi';
import type { Clock } from '../../../clock.ts';
import type { DayRange } from '../../../crm/analytics.ts';
import { unknownReference } from './crm-schemas.ts';

/** The longest range a dashboard asks for at once. */
export const MAX_RANGE_DAYS = 366;

const day = (description: string) =>
  z.iso
    .date({ message: 'Use YYYY-MM-DD' })
    .optional()
    .openapi({ description, example: '2026-01-01' });

/** `from` and `to`, UTC days, both included; the last 30 days when left out. */
export const RangeQuery = z.object({
  from: day('First day (UTC), included; 29 days before `to` when left out'),
  to: day('Last day (UTC), included; today when left out'),
});

export const RangeSchema = z.object({ from: z.string(), to: z.string() });

/** The range asked for, with the defaults filled; 422 when it is backwards or too long. */
export function rangeOf(q: z.infer<typeof RangeQuery>, clock: Clock): DayRange {
  const to = q.to ?? new Date(clock.now()).toISOString().slice(0, 10);
  const from =
    q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  for (const [name, d] of [
    ['from', from],
    ['to', to],
  ] as const) {
    // The format admits 2026-02-30; a real calendar day survives the round trip.
    const t = Date.parse(`${d}T00:00:00Z`);
    if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== d) {
      throw unknownReference(`query.${name}`, 'Not a calendar day');
    }
  }
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days < 1) throw unknownReference('query.from', '`from` must not be after `to`');
  if (days > MAX_RANGE_DAYS) {
    throw unknownReference('query.from', `A range is at most ${MAX_RANGE_DAYS} days`);
  }
  return { from, to };
}
