import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HTTP_LOAD = fileURLToPath(new URL('./http-load.ts', import.meta.url));

export interface HttpLoad {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
}

export interface HttpFigures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** HTTP load from a separate process; throws when any response failed. */
export async function httpLoad(load: HttpLoad): Promise<HttpFigures> {
  const { stdout } = await run(process.execPath, [HTTP_LOAD, JSON.stringify(load)], {
    maxBuffer: 1 << 20,
  });
  const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as HttpFigures;
  if (figures.non2xx || figures.errors || figures.timeouts) {
    throw new Error(`${load.method ?? 'GET'} ${load.url}: ${JSON.stringify(figures)}`);
  }
  return figures;
}

/**
 * The same work as raw SQL: pgbench running `script` over `clients` connections. Returns
 * transactions per second, or undefined when pgbench is not installed.
 */
export async function pgbench(
  dbUrl: string,
  script: string,
  opts: { clients: number; seconds: number; scriptFile: string },
): Promise<number | undefined> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(opts.scriptFile, script);
  try {
    const { stdout } = await run('pgbench', [
      '-n',
      '-c',
      String(opts.clients),
      '-j',
      '1',
      '-T',
      String(opts.seconds),
      '-f',
      opts.scriptFile,
      dbUrl,
    ]);
    const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return Number(tps);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
