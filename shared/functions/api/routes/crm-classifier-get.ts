import { createRoute, z } from '@hono/zod-openapi';
import { findClassifier } from '../../../crm/classifier-settings.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { ProfileType } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

export const ClassifierSchema = z
  .strictObject({
    threshold: z.number().gt(0).max(1).openapi({
      description: 'Confidence a suggestion needs to change a client’s profile type',
      example: 0.7,
    }),
    rules: z
      .array(
        z.strictObject({
          profile_type: ProfileType,
          terms: z
            .array(z.string().trim().min(1).max(100))
            .min(1)
            .max(100)
            .openapi({ example: ['asylum', 'refugee', 'international protection'] }),
        }),
      )
      .max(50),
  })
  .openapi('Classifier', {
    description:
      'Inbound text suggests the profile type whose terms it contains (whole words, any case, ' +
      'accents ignored). Confidence is 1 − ½^score, where each word found scores 1 and each ' +
      'phrase 2, less what another type scored: one word gives 0.5, two words or a phrase 0.75.',
    example: {
      threshold: 0.7,
      rules: [{ profile_type: 'asylum', terms: ['asylum', 'refugee', 'international protection'] }],
    },
  });

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/classifier',
  tags: ['crm'],
  summary: "The project's classifier",
  description: 'Members read it; a project that never set one has no rules.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam },
  responses: {
    200: {
      description: 'The classifier',
      content: { 'application/json': { schema: ClassifierSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmClassifierGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const settings = await inProject(c, id, ({ tx }) => findClassifier(tx, id));
    return c.json(settings, 200);
  });
}
