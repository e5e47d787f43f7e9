import type postgres from 'postgres';
import type { Tx } from '../db/client.ts';
import type { ClassifierSettings } from './classifier.ts';

/** What a project that never set its classifier has: no rules, so no suggestion. */
export const DEFAULT_CLASSIFIER: ClassifierSettings = { threshold: 0.7, rules: [] };

/** The project's classifier (the default when it has none). Members read it. */
export async function findClassifier(tx: Tx, projectId: string): Promise<ClassifierSettings> {
  const [row] = await tx<ClassifierSettings[]>`
    select k.threshold, k.rules from public.crm_classifiers k
     where k.project_id = ${projectId}::uuid`;
  return row ?? DEFAULT_CLASSIFIER;
}

/**
 * Replaces the project's classifier as the caller; RLS admits owners and editors (an insert
 * or update it refuses is a 42501, which the route answers 403).
 */
export async function saveClassifier(
  tx: Tx,
  projectId: string,
  settings: ClassifierSettings,
): Promise<ClassifierSettings> {
  const rules = tx.json(settings.rules as unknown as postgres.JSONValue);
  const [row] = await tx<ClassifierSettings[]>`
    insert into public.crm_classifiers as k (project_id, threshold, rules)
    values (${projectId}::uuid, ${settings.threshold}, ${rules})
    on conflict (project_id) do update set threshold = excluded.threshold, rules = excluded.rules
    returning k.threshold, k.rules`;
  if (!row) throw new Error('upsert returned no row');
  return row;
}
