import { createRoute, z } from '@hono/zod-openapi';
import { INVALID_PARAMETER_VALUE, isPg } from '../../../db/errors.ts';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { findProject, transferProject } from '../../../projects/projects.ts';
import { inProject } from './projects-access.ts';
import {
  invalidField,
  ProjectIdParam,
  ProjectSchema,
  projectNotFound,
  toProject,
} from './projects-schemas.ts';

const TransferBody = z
  .strictObject({
    user_id: z.uuid().openapi({
      description: 'The new owner; must already be a member',
      example: '7d4e2c1a-5b3f-4e6d-8c9a-1b2c3d4e5f60',
    }),
  })
  .openapi('TransferProjectRequest');

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/transfer',
  tags: ['projects'],
  summary: 'Transfer ownership',
  description:
    'Its owner, or a holder of `projects:write_all`, hands the project to another member; the ' +
    'previous owner stays on as an editor.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { 'application/json': { schema: TransferBody } } },
  },
  responses: {
    200: {
      description: 'The project, with its new owner',
      content: { 'application/json': { schema: ProjectSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerProjectsTransfer(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { user_id: newOwner } = c.req.valid('json');
    const result = await inProject(c, id, async ({ tx, project }) => {
      if (project.ownerId === newOwner)
        throw new AppError('conflict', { detail: 'That user already owns the project' });
      // private.transfer_project decides who may (42501 → 403 in inProject).
      await transferProject(tx, id, newOwner);
      return { from: project.ownerId, row: await findProject(tx, id) };
    }).catch((err: unknown) => {
      // 22023 (invalid_parameter_value): the new owner is not a member of the project.
      if (isPg(err, INVALID_PARAMETER_VALUE))
        throw invalidField('body.user_id', 'The new owner must already be a member', err);
      throw err;
    });
    if (!result.row) throw projectNotFound();
    await audit(c, 'project.transferred', {
      targetType: 'project',
      targetId: id,
      metadata: { from_user_id: result.from, to_user_id: newOwner },
    });
    return c.json(toProject(result.row), 200);
  });
}
