import { createRoute, z } from '@hono/zod-openapi';
import { findGeneration, insertGeneration } from '../../../generations/generations.ts';
import { pathProblem } from '../../../generations/paths.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { enqueue } from '../../../jobs/enqueue.ts';
import { createMessage } from '../../../projects/messages.ts';
import { GenerationKind, GenerationSchema, toGeneration } from './generations-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed, ProjectIdParam } from './projects-schemas.ts';

const FILES_MAX_BYTES = 2 * 1024 * 1024;
const encoder = new TextEncoder();

const RequestFile = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .max(240)
      .superRefine((path, ctx) => {
        const problem = pathProblem(path);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .openapi({ example: 'lib/main.dart' }),
    content: z.string().max(1024 * 1024),
  })
  .openapi('GenerationFile');

const CreateGenerationBody = z
  .strictObject({
    prompt: z.string().trim().min(1).max(20_000).openapi({ example: 'A todo list app' }),
    kind: GenerationKind.default('generate').openapi({
      description:
        '`generate` writes or changes the app with the LLM; `fix` repairs what the analyzer ' +
        'finds; `build` only builds (no LLM).',
    }),
    files: z
      .array(RequestFile)
      .max(40)
      .refine((files) => encoder.encode(JSON.stringify(files)).length <= FILES_MAX_BYTES, {
        message: 'Files may hold at most 2 MB in all',
      })
      .optional()
      .openapi({ description: 'Files written into the workspace before anything runs' }),
    preview: z.boolean().default(false).openapi({
      description: 'Serve the built app (`flutter run -d web-server`) when it succeeds',
    }),
    cancel_on_disconnect: z.boolean().default(false).openapi({
      description:
        'Cancel it when no client has watched its channel (Realtime presence) for a while',
    }),
  })
  .openapi('CreateGenerationRequest', { example: { prompt: 'A todo list app' } });

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/generations',
  tags: ['generations'],
  summary: 'Start a generation',
  description:
    'Editors and owners ask for an app or a change in plain words. The generation, its job ' +
    'and the prompt (as a message of the conversation) are written in one transaction; the ' +
    'worker takes it from there. Answers 202 with the generation and its `Location`; follow ' +
    'it on the Realtime channel `generation:<id>`, by `GET /generations/{id}/events` or by ' +
    'the SSE stream.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { 'application/json': { schema: CreateGenerationBody } } },
  },
  responses: {
    202: {
      description: 'The generation, queued',
      headers: z.object({ location: z.string().openapi({ example: '../../generations/5e6f…' }) }),
      content: { 'application/json': { schema: GenerationSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerGenerationsCreate(app: App): void {
  app.openapi(route, async (c) => {
    const { id: projectId } = c.req.valid('param');
    const body = c.req.valid('json');
    // The job carries this id, so it is chosen before the row and the job are written.
    const id = crypto.randomUUID();
    const generation = await inProject(c, projectId, async ({ tx, project }) => {
      // RLS refuses it too; checked first only to answer before writing anything.
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      await insertGeneration(tx, {
        id,
        projectId,
        prompt: body.prompt,
        kind: body.kind,
        files: body.files ?? null,
        preview: body.preview,
        cancelOnDisconnect: body.cancel_on_disconnect,
      });
      await createMessage(tx, projectId, { content: body.prompt, kind: 'text', generationId: id });
      await enqueue(tx, 'generation', { generation_id: id, project_id: projectId });
      // Read back after the insert's trigger appended the first event.
      return findGeneration(tx, id);
    });
    if (!generation) throw new Error('a requested generation is not visible to its requester');
    await audit(c, 'generation.requested', {
      targetType: 'generation',
      targetId: id,
      metadata: { project_id: projectId, kind: body.kind, preview: body.preview },
    });
    // Relative to this URL, so it holds behind any prefix (`/functions/v1/api/…` on Supabase).
    c.header('location', `../../generations/${id}`);
    return c.json(toGeneration(generation), 202);
  });
}
