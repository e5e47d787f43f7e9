/** Why a path was refused. */
export type PathRefusal =
  | 'empty'
  | 'nul'
  | 'absolute'
  | 'backslash'
  | 'parent'
  | 'too_long'
  | 'reserved'
  | 'symlink'
  | 'not_a_directory'
  | 'is_a_directory'
  | 'outside';

/** A file path from the LLM or a request that may not be written (or read) in a workspace. */
export class WorkspacePathError extends Error {
  override name = 'WorkspacePathError';
  readonly reason: PathRefusal;
  readonly path: string;

  constructor(reason: PathRefusal, path: string, detail: string) {
    // The path is quoted through JSON so control characters cannot forge log lines.
    super(`Refused path ${JSON.stringify(path)}: ${detail}`);
    this.reason = reason;
    this.path = path;
  }
}

const MAX_PATH = 240;
const MAX_COMPONENT = 255;
const MAX_DEPTH = 16;

/** Folders the toolchain owns: what it writes there is not the app's source. */
export const TOOL_FOLDERS = new Set(['.git', '.dart_tool', 'build']);

/**
 * Checks a workspace-relative path by its text alone and returns its components. Refuses
 * empty and over-long paths, NUL bytes, absolute paths (POSIX, Windows drive or UNC),
 * backslashes (a separator on Windows, so `..\\` would climb), `..` anywhere, and the
 * toolchain's own folders. `.` and empty components (`a//b`) are dropped. Symlinks are
 * checked when writing, against the disk.
 */
export function checkRelativePath(path: string): string[] {
  const refuse = (reason: PathRefusal, detail: string): never => {
    throw new WorkspacePathError(reason, path, detail);
  };
  if (typeof path !== 'string' || path.trim() === '') refuse('empty', 'empty path');
  if (path.includes('\0')) refuse('nul', 'contains a NUL byte');
  if (Buffer.byteLength(path) > MAX_PATH) refuse('too_long', `longer than ${MAX_PATH} bytes`);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) refuse('absolute', 'absolute path');
  if (path.includes('\\')) refuse('backslash', 'backslashes are not separators here');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (!parts.length) refuse('empty', 'names no file');
  if (parts.includes('..')) refuse('parent', "'..' leaves the folder");
  if (parts.length > MAX_DEPTH) refuse('too_long', `deeper than ${MAX_DEPTH} folders`);
  if (parts.some((p) => Buffer.byteLength(p) > MAX_COMPONENT))
    refuse('too_long', 'a name is too long');
  if (TOOL_FOLDERS.has(parts[0] as string))
    refuse('reserved', `${parts[0]} belongs to the toolchain`);
  if (path.endsWith('/')) refuse('is_a_directory', 'names a folder, not a file');
  return parts;
}
