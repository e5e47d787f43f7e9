import { analyzeCommand, analyzeFlags } from './commands/analyze.ts';
import { buildFlags, buildWebCommand } from './commands/build.ts';
import { pubGet } from './commands/pub.ts';
import { runCommand, runFlags } from './commands/run.ts';
import { versionCommand } from './commands/version.ts';
import { err, NOTICE, out } from './console.ts';

// flutter's exit code for a command line it cannot parse (EX_USAGE).
const USAGE = 64;

const usage = (message: string) => {
  err(message);
  err('');
  err("Run 'flutter -h' (or 'flutter <command> -h') for available flutter commands and options.");
  return USAGE;
};

const HELP = `Manage your Flutter app development.

Usage: flutter <command> [arguments]

Available commands (simulated):
  analyze   Analyze the project's Dart code.
  build     Build an executable app or install bundle (web only).
  devices   List all connected devices.
  pub       Commands for managing Flutter packages (get).
  run       Run your Flutter app on an attached device (web-server).

Global options:
  --version   Reports the version of this tool (--machine for JSON).`;

/** Runs one `flutter …` command line in `cwd`; resolves to the exit code. */
export async function main(argv: string[], cwd: string): Promise<number> {
  // Printed first and on stderr: a terminal shows it before anything else, while a caller
  // reading stdout (`--version --machine`) still gets exactly flutter's format.
  err(NOTICE);
  const args = argv.filter((a) => a !== '--suppress-analytics' && a !== '--no-version-check');
  const [command, ...rest] = args;
  if (args.includes('--version') && (command === '--version' || command === '--machine')) {
    return versionCommand(args.includes('--machine'));
  }
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    out(HELP);
    return 0;
  }
  switch (command) {
    case 'pub': {
      const [sub, ...more] = rest;
      if (sub !== 'get')
        return usage(`Could not find a subcommand named "${sub ?? ''}" for "flutter pub".`);
      if (more.some((a) => a !== '--offline'))
        return usage(`Could not find an option named "${more[0]}".`);
      return pubGet(cwd);
    }
    case 'analyze': {
      const { flags, unknown } = analyzeFlags(rest);
      return unknown
        ? usage(`Could not find an option named "${unknown}".`)
        : analyzeCommand(cwd, flags);
    }
    case 'build': {
      const [target, ...more] = rest;
      if (target !== 'web') {
        if (
          ['apk', 'appbundle', 'ios', 'ipa', 'linux', 'macos', 'windows'].includes(target ?? '')
        ) {
          err(`The simulated toolchain builds only for the web, not "${target}".`);
          return 1;
        }
        return usage(`Could not find a subcommand named "${target ?? ''}" for "flutter build".`);
      }
      const { opts, unknown } = buildFlags(more);
      return unknown
        ? usage(`Could not find an option named "${unknown}".`)
        : buildWebCommand(cwd, opts);
    }
    case 'run': {
      const { opts, unknown } = runFlags(rest);
      return unknown
        ? usage(`Could not find an option named "${unknown}".`)
        : runCommand(cwd, opts);
    }
    case 'devices':
      out('Found 1 connected device:');
      out('  Web Server (web) • web-server • web-javascript • Flutter Tools');
      return 0;
    default:
      return usage(`Could not find a command named "${command}".`);
  }
}
