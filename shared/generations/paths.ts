/** Folders the toolchain owns: a request may not write there. */
const TOOL_FOLDERS = new Set(['.git', '.dart_tool', 'build']);
const encoder = new TextEncoder();

/**
 * Why a workspace-relative path from a request is refused, or undefined when it is fine: the
 * API's first check, by the text alone. The worker checks again on disk (symlinks) before it
 * writes anything.
 */
export function pathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'Give a path';
  if (path.includes('\0')) return 'A path may not contain NUL';
  if (encoder.encode(path).length > 240) return 'Use at most 240 bytes';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'Use a path relative to the app';
  if (path.includes('\\')) return 'Use forward slashes';
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) return 'Give a file name';
  if (parts.includes('..')) return "A path may not contain '..'";
  if (parts.length > 16) return 'Use at most 16 folders';
  if (TOOL_FOLDERS.has(parts[0] as string)) return `${parts[0]} belongs to the toolchain`;
  if (path.endsWith('/')) return 'Name a file, not a folder';
  return undefined;
}
