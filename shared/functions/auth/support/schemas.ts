import { z } from '@hono/zod-openapi';

export const Email = z
  .email({ message: 'Must be an email address' })
  .max(255)
  .openapi({ example: 'ada@example.com' });

/** Auth enforces its own minimum; this bounds what reaches it (bcrypt reads 72 bytes). */
export const Password = z
  .string()
  .min(1)
  .max(72)
  .openapi({ example: 'correct-horse-battery-staple' });

export const RedirectTo = z.url().max(2048).optional().openapi({
  description: 'Where the mailed link lands; must be allowed in the Auth redirect URLs',
  example: 'https://app.example.com/welcome',
});

/** The body of a 202 that must not reveal whether an account exists. */
export const AcceptedSchema = z.object({ message: z.string() }).openapi('Accepted', {
  example: { message: 'If the address can receive it, a mail is on its way' },
});

/** Profile usernames, as the profiles table's CHECK allows them. */
export const Username = z
  .string()
  .regex(/^[a-z0-9_.]{3,30}$/, 'Use 3 to 30 of a-z, 0-9, _ and .')
  .openapi({ example: 'ada' });
