import type { Ctx } from '../../context.ts';
import { ERRORS } from '../../errors.ts';
import { parseFileSizeToBytes } from '../../rules.ts';
import type { Fields } from '../../validate.ts';

/**
 * A bucket's `file_size_limit` (bytes or "20MB"; never above the project's limit) and
 * `allowed_mime_types` (empty entries dropped), as given: undefined leaves them alone.
 */
export function bucketLimits(ctx: Ctx, body: Fields) {
  const size = body.sizeLimit('file_size_limit');
  const types = body.strings('allowed_mime_types', { nullable: true });
  let file_size_limit: number | null | undefined = size === null ? null : undefined;
  if (size !== undefined && size !== null) {
    file_size_limit = parseFileSizeToBytes(size);
    if (file_size_limit > ctx.deps.settings.fileSizeLimit) throw ERRORS.entityTooLarge();
  }
  return { file_size_limit, allowed_mime_types: types ? types.filter(Boolean) : types };
}
