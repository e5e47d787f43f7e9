import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOTICE } from '../../scripts/flutter-sim/console.ts';
import { parseAnalyzeOutput, stripTerminal } from '../../worker/toolchain/analyze-parser.ts';
import {
  flutterArgs,
  resolveFlutter,
  SIMULATED_FLUTTER,
  servedUrl,
} from '../../worker/toolchain/flutter.ts';
import { groupAlive } from '../../worker/toolchain/process-group.ts';
import { runPty, startPty } from '../../worker/toolchain/pty-runner.ts';
import { FAST, templateCopy } from '../helpers/flutter-sim.ts';

const env = { ...process.env, ...FAST };
const flutter = (cwd: string, args: string[]) =>
  runPty({ command: SIMULATED_FLUTTER, args, cwd, env, timeoutMs: 30_000 });

describe('the worker’s steps on the simulated toolchain, under a PTY', () => {
  const app = templateCopy();

  it('picks FLUTTER_BIN, else flutter on PATH, else the simulation', () => {
    expect(resolveFlutter({ FLUTTER_BIN: '/opt/flutter/bin/flutter' })).toEqual({
      bin: '/opt/flutter/bin/flutter',
      simulated: false,
    });
    expect(resolveFlutter({ PATH: '/nonexistent' })).toEqual({
      bin: SIMULATED_FLUTTER,
      simulated: true,
    });
  });

  it('runs pub get and analyze; the first line says it is simulated', async () => {
    const pub = await flutter(app, flutterArgs.pubGet());
    expect(pub.exitCode).toBe(0);
    expect(stripTerminal(pub.tail).split('\n')[0]).toBe(NOTICE);
    const analyze = await flutter(app, flutterArgs.analyze());
    expect(analyze.exitCode).toBe(0);
    expect(parseAnalyzeOutput(analyze.tail)).toEqual([]);
  });

  it('turns analyzer findings into structured issues', async () => {
    const broken = templateCopy();
    writeFileSync(
      join(broken, 'lib/main.dart'),
      "import 'package:flutter/material.dart';\n\nvoid main() => runApp(const Missing());\n",
    );
    const result = await flutter(broken, flutterArgs.analyze());
    expect(result.exitCode).toBe(1);
    expect(parseAnalyzeOutput(result.tail)).toEqual([
      {
        severity: 'error',
        message:
          "The function 'Missing' isn't defined. Try importing the library that defines 'Missing', correcting the name to the name of an existing function, or defining a function named 'Missing'",
        file: 'lib/main.dart',
        line: 3,
        column: 29,
        code: 'undefined_function',
      },
    ]);
  });

  it('serves a preview with run -d web-server until told to quit', async () => {
    let output = '';
    let resolveUrl: (url: string) => void = () => {};
    const url = new Promise<string>((r) => {
      resolveUrl = r;
    });
    const run = startPty({
      command: SIMULATED_FLUTTER,
      args: flutterArgs.runWebServer({ port: 0, hostname: '127.0.0.1' }),
      cwd: app,
      env,
      timeoutMs: 60_000,
      onOutput: (c) => {
        output += c.text;
        const found = servedUrl(output);
        if (found) resolveUrl(found);
      },
    });
    const page = await fetch(await url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('flutter_bootstrap.js');
    const program = await (await fetch(`${await url}/main.dart.js`)).text();
    expect(program).toContain('"title":"Flutter Studio"');
    run.write('q');
    const result = await run.done;
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    expect(stripTerminal(result.tail)).toContain('Application finished.');
  });

  it('stops a preview when told to, leaving no process of it', async () => {
    let output = '';
    const run = startPty({
      command: SIMULATED_FLUTTER,
      args: flutterArgs.runWebServer({ port: 0, hostname: '127.0.0.1' }),
      cwd: app,
      env,
      timeoutMs: 60_000,
      onOutput: (c) => {
        output += c.text;
        if (servedUrl(output)) run.stop();
      },
    });
    const result = await run.done;
    expect(result.outcome).toBe('aborted');
    expect(groupAlive(result.pid)).toBe(false);
  });
});
