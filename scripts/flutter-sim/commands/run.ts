import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { err, out, pause } from '../console.ts';
import { readPubspec } from '../pubspec.ts';
import { serveWebApp } from '../web/server.ts';
import { compileWeb } from './build.ts';
import { noPubspec, pubGet } from './pub.ts';

export interface RunOptions {
  device: string;
  port: number;
  host: string;
  target: string;
  pub: boolean;
}

/** Parses `flutter run` flags; an unknown flag is returned for the caller to reject. */
export function runFlags(args: string[]): { opts: RunOptions; unknown?: string } {
  const opts: RunOptions = {
    device: 'web-server',
    port: 0,
    host: 'localhost',
    target: 'lib/main.dart',
    pub: true,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.indexOf('=');
    const name = eq === -1 ? a : a.slice(0, eq);
    const take = () => (eq === -1 ? (args[++i] ?? '') : a.slice(eq + 1));
    if (name === '-d' || name === '--device-id') opts.device = take();
    else if (name === '--web-port') opts.port = Number(take());
    else if (name === '--web-hostname') opts.host = take();
    else if (name === '-t' || name === '--target') opts.target = take();
    else if (name === '--no-pub') opts.pub = false;
    else if (name === '--dart-define' || name === '--web-renderer') take();
    else if (!['--debug', '--profile', '--release', '--pub', '--hot', '--no-hot'].includes(name)) {
      return { opts, unknown: a };
    }
  }
  return { opts };
}

/**
 * `flutter run -d web-server`: builds the app into build/web, serves it over HTTP until
 * killed or told `q`, and rebuilds on `r`/`R` (hot restart), printing what flutter prints.
 */
export async function runCommand(root: string, opts: RunOptions): Promise<number> {
  if (!readPubspec(root)) return noPubspec();
  if (opts.device !== 'web-server') {
    err(`No supported devices found with name or id matching '${opts.device}'.`);
    err(
      '\nThe following devices were found:\nWeb Server (web) • web-server • web-javascript • Flutter Tools',
    );
    return 1;
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    err(`Invalid port: ${opts.port}`);
    return 1;
  }
  if (opts.pub) {
    const code = await pubGet(root, { implicit: true });
    if (code !== 0) return code;
  }
  const build = {
    target: opts.target,
    baseHref: '/',
    output: 'build/web',
    mode: 'debug' as const,
    pub: false,
  };
  out(`Launching ${opts.target} on Web Server in debug mode...`);
  const ok = await compileWeb(
    root,
    build,
    'Waiting for connection from debug service on Web Server...',
  );
  if (!ok) {
    err('Failed to compile application.');
    return 1;
  }
  let server: Awaited<ReturnType<typeof serveWebApp>>;
  try {
    server = await serveWebApp(resolve(root, 'build/web'), opts.host, opts.port);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EADDRINUSE';
    err('Failed to bind web development server:');
    err(
      `SocketException: Failed to create server socket (OS Error: ${code === 'EADDRINUSE' ? 'Address already in use, errno = 98' : code}), address = ${opts.host}, port = ${opts.port}`,
    );
    return 1;
  }
  const port = (server.address() as AddressInfo).port;
  out(`${opts.target} is being served at http://${opts.host}:${port}`);
  out(
    'The web-server device requires the Dart Debug Chrome extension for debugging. Consider using the Chrome or Edge devices for an improved development workflow.',
  );
  out('');
  out('🔥  To hot restart changes while running, press "r" or "R".');
  out('For a more detailed help message, press "h". To quit, press "q".');

  return new Promise<number>((done) => {
    let busy = false;
    const stop = (code: number) => {
      process.stdin.pause();
      server.close();
      server.closeAllConnections();
      out('');
      out('Application finished.');
      done(code);
    };
    process.once('SIGTERM', () => stop(0));
    process.once('SIGINT', () => stop(0));
    process.once('SIGHUP', () => stop(0));
    if (process.stdin.isTTY) process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', async (key: string) => {
      if (busy) return;
      if (key === 'q' || key === 'Q' || key === '\u0003') stop(0);
      else if (key === 'h') {
        out('Flutter run key commands.');
        out('R Hot restart.');
        out('h List all available interactive commands.');
        out('c Clear the screen');
        out('q Quit (terminate the application on the device).');
      } else if (key === 'c') out('\u001b[2J\u001b[H');
      else if (key === 'r' || key === 'R') {
        busy = true;
        out('Performing hot restart...');
        const started = performance.now();
        await pause(300);
        const rebuilt = await compileWeb(root, build, 'Recompiling...');
        out(
          rebuilt
            ? `Restarted application in ${Math.round(performance.now() - started).toLocaleString('en-US')}ms.`
            : 'Try again after fixing the above error(s).',
        );
        busy = false;
      }
    });
  });
}
