/**
 * What a client's document may be: its size, its declared type, and for binary formats the
 * first bytes that type always starts with, so a renamed executable is not taken for a PDF.
 */

/** The largest document the API takes. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const startsWith = (bytes: Uint8Array, ...sig: Array<number | null>) =>
  sig.every((b, i) => b === null || bytes[i] === b);

const SIGNATURES: Record<string, ((b: Uint8Array) => boolean) | null> = {
  'application/pdf': (b) => startsWith(b, 0x25, 0x50, 0x44, 0x46, 0x2d), // %PDF-
  'image/jpeg': (b) => startsWith(b, 0xff, 0xd8, 0xff),
  'image/png': (b) => startsWith(b, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
  'image/webp': (b) =>
    startsWith(b, 0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50),
  'image/heic': (b) => startsWith(b, null, null, null, null, 0x66, 0x74, 0x79, 0x70), // ftyp
  // Office Open XML is a zip.
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': (b) =>
    startsWith(b, 0x50, 0x4b, 0x03, 0x04),
  // Text has no signature; it must decode as UTF-8 (checked below).
  'text/plain': null,
};

/** The document types the API takes. */
export const DOCUMENT_TYPES = Object.keys(SIGNATURES);

/**
 * Why these bytes are not an acceptable document of `type`, or undefined when they are.
 *
 * @example
 * documentProblem('application/pdf', bytes) // 'The file is not a PDF' for a PNG
 */
export function documentProblem(type: string, bytes: Uint8Array): string | undefined {
  if (!(type in SIGNATURES)) return `Use one of: ${DOCUMENT_TYPES.join(', ')}`;
  if (bytes.length === 0) return 'The file is empty';
  if (bytes.length > MAX_DOCUMENT_BYTES) return `Documents are at most ${MAX_DOCUMENT_BYTES} bytes`;
  const check = SIGNATURES[type];
  if (check && !check(bytes)) return `The file's content is not ${type}`;
  if (!check) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return 'The file is not UTF-8 text';
    }
  }
  return undefined;
}

/** A file name fit to show: no folders, no control characters, at most 255 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).at(-1) ?? '';
  const printable = [...base].filter((ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code >= 0x20 && code !== 0x7f;
  });
  const cleaned = printable.join('').trim().replace(/^\.+/, '');
  return cleaned.slice(-255) || 'document';
}
