import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ERRORS } from './errors.ts';
import { isUuid } from './rules.ts';

/** What Storage records about stored bytes (`storage.objects.metadata`). */
export interface StoredBytes {
  size: number;
  /** The S3-style entity tag: the MD5 of the bytes, quoted. */
  eTag: string;
}

/**
 * The bytes of every object, on disk under one folder. A file is named by the object's
 * version (a UUID Storage draws for each write), never by the object's name, so no name
 * can reach outside the folder however it is spelled.
 */
export class ObjectFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file of a version; undefined for a version Storage did not make (no bytes). */
  pathOf(version: string | null | undefined): string | undefined {
    if (!isUuid(version ?? undefined)) return undefined;
    const v = (version as string).toLowerCase();
    const path = join(this.root, v.slice(0, 2), v);
    // Defence in depth: a UUID cannot climb, but the check costs nothing.
    return path.startsWith(this.root + sep) ? path : undefined;
  }

  /**
   * Streams `source` into the file of `version`, refusing past `limit` bytes (the file is
   * removed and Storage's EntityTooLarge raised).
   */
  async write(version: string, source: AsyncIterable<Uint8Array>, limit: number) {
    const path = this.mustPath(version);
    await mkdir(join(path, '..'), { recursive: true });
    const out = createWriteStream(path);
    const hash = createHash('md5');
    let size = 0;
    try {
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > limit) throw ERRORS.entityTooLarge();
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((go) => out.once('drain', () => go()));
      }
      out.end();
      await finished(out);
    } catch (err) {
      out.destroy();
      await rm(path, { force: true });
      throw err;
    }
    return { size, eTag: `"${hash.digest('hex')}"` } satisfies StoredBytes;
  }

  /**
   * Gives version `to` the bytes of version `from` (a hard link: versions never change in
   * place). A source without bytes copies nothing.
   */
  async copy(from: string | null | undefined, to: string): Promise<void> {
    const source = this.pathOf(from);
    if (!source) return;
    const target = this.mustPath(to);
    await mkdir(join(target, '..'), { recursive: true });
    await link(source, target).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return;
      await copyFile(source, target);
    });
  }

  /** Removes the files of these versions; missing ones are fine (already gone). */
  async remove(versions: Array<string | null | undefined>): Promise<void> {
    await Promise.all(
      versions.map((v) => {
        const path = this.pathOf(v);
        return path ? rm(path, { force: true }) : undefined;
      }),
    );
  }

  async size(version: string | null | undefined): Promise<number | undefined> {
    const path = this.pathOf(version);
    if (!path) return undefined;
    return stat(path).then(
      (s) => s.size,
      () => undefined,
    );
  }

  /** The bytes `[start, end]` (inclusive) of a version as a web stream. */
  read(version: string, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
    return Readable.toWeb(createReadStream(this.mustPath(version), range)) as ReadableStream;
  }

  private mustPath(version: string): string {
    const path = this.pathOf(version);
    if (!path) throw new Error('not a version this store writes');
    return path;
  }
}
