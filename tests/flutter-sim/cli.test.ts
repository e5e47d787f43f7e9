import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOTICE } from '../../scripts/flutter-sim/console.ts';
import { flutter, templateCopy } from '../helpers/flutter-sim.ts';

const firstLine = (output: string) => output.split('\n')[0];

describe('simulated flutter: commands, formats and exit codes', () => {
  const app = templateCopy();

  it('says it is simulated before anything else, and reports a version', async () => {
    const { code, output } = await flutter(app, ['--version']);
    expect(code).toBe(0);
    expect(firstLine(output)).toBe(NOTICE);
    expect(output).toMatch(/^Flutter \d+\.\d+\.\d+ • channel stable • /m);
    expect(output).toMatch(/^Tools • Dart \d+\.\d+\.\d+ • DevTools /m);
  });

  it('prints machine-readable JSON on stdout for --version --machine', async () => {
    const { code, output } = await flutter(app, ['--version', '--machine'], { stdoutOnly: true });
    expect(code).toBe(0);
    expect(JSON.parse(output)).toMatchObject({ channel: 'stable', dartSdkVersion: '3.6.0' });
  });

  it('resolves packages with pub get and writes the lock and package config', async () => {
    const first = await flutter(app, ['pub', 'get']);
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/^Resolving dependencies\.\.\. ?$/m);
    expect(first.output).toMatch(/^\+ cupertino_icons 1\.0\.8$/m);
    expect(first.output).toMatch(/^Changed \d+ dependencies!$/m);
    const config = JSON.parse(readFileSync(join(app, '.dart_tool/package_config.json'), 'utf8'));
    expect(config.packages.map((p: { name: string }) => p.name)).toContain('cupertino_icons');
    expect(readFileSync(join(app, 'pubspec.lock'), 'utf8')).toMatch(/cupertino_icons:/);

    const again = await flutter(app, ['pub', 'get']);
    expect(again.output).toMatch(/^Got dependencies!$/m);
  });

  it('fails pub get for a package that does not exist, as pub does', async () => {
    const broken = templateCopy();
    const pubspec = readFileSync(join(broken, 'pubspec.yaml'), 'utf8');
    writeFileSync(
      join(broken, 'pubspec.yaml'),
      pubspec.replace('cupertino_icons: ^1.0.8', 'no_such_pkg: ^1.0.0'),
    );
    const { code, output } = await flutter(broken, ['pub', 'get']);
    expect(code).toBe(1);
    expect(output).toContain(
      "Because app depends on no_such_pkg any which doesn't exist (could not find package no_such_pkg at https://pub.dev), version solving failed.",
    );
  });

  it('analyzes a clean app: no issues, exit 0', async () => {
    const { code, output } = await flutter(app, ['analyze']);
    expect(code).toBe(0);
    expect(output).toMatch(/^Analyzing .+\.\.\.$/m);
    expect(output).toMatch(/^No issues found! \(ran in \d+\.\ds\)$/m);
  });

  it('analyzes a broken app: one line per issue, a count, exit 1', async () => {
    const broken = templateCopy();
    const source = [
      "import 'package:flutter/material.dart';",
      '',
      'void main() {',
      '  runApp(const Scafold())',
      '}',
    ];
    writeFileSync(join(broken, 'lib/main.dart'), source.join('\n'));
    const { code, output } = await flutter(broken, ['analyze']);
    expect(code).toBe(1);
    const lines = output.split('\n').filter((l) => l.includes(' • '));
    expect(lines).toEqual([
      "  error • The function 'Scafold' isn't defined. Try importing the library that defines 'Scafold', correcting the name to the name of an existing function, or defining a function named 'Scafold' • lib/main.dart:4:16 • undefined_function",
      "  error • Expected to find ';' • lib/main.dart:4:25 • expected_token",
    ]);
    expect(output).toMatch(/^2 issues found\. \(ran in \d+\.\ds\)$/m);
  });

  it('rejects unknown commands and options with exit 64', async () => {
    expect((await flutter(app, ['frobnicate'])).code).toBe(64);
    const bad = await flutter(app, ['analyze', '--no-such-flag']);
    expect(bad.code).toBe(64);
    expect(bad.output).toContain('Could not find an option named "--no-such-flag".');
  });

  it('refuses to run outside a project', async () => {
    const { code, output } = await flutter('/', ['analyze']);
    expect(code).toBe(1);
    expect(output).toContain('Error: No pubspec.yaml file found.');
  });
});

describe('simulated flutter build web', () => {
  const app = templateCopy();

  it('writes a loadable build/web with the app title', async () => {
    const { code, output } = await flutter(app, ['build', 'web']);
    expect(code).toBe(0);
    expect(output).toMatch(/^Compiling lib\/main\.dart for the Web\.\.\. +\d+(\.\d)?m?s$/m);
    expect(output).toMatch(/^✓ Built build\/web$/m);
    const web = join(app, 'build/web');
    for (const f of [
      'index.html',
      'flutter_bootstrap.js',
      'flutter.js',
      'main.dart.js',
      'manifest.json',
      'version.json',
      'assets/AssetManifest.json',
      'favicon.png',
    ]) {
      expect(existsSync(join(web, f)), f).toBe(true);
    }
    const index = readFileSync(join(web, 'index.html'), 'utf8');
    expect(index).toContain('<base href="/">');
    expect(index).toContain('<script src="flutter_bootstrap.js" async></script>');
    expect(readFileSync(join(web, 'flutter_bootstrap.js'), 'utf8')).toContain(
      '_flutter.loader.load();',
    );
    const program = readFileSync(join(web, 'main.dart.js'), 'utf8');
    expect(program).toContain('"title":"Flutter Studio"');
    expect(program).toContain('document.title = app.title');
    expect(JSON.parse(readFileSync(join(web, 'version.json'), 'utf8'))).toEqual({
      app_name: 'app',
      version: '1.0.0',
      build_number: '1',
      package_name: 'app',
    });
  });

  it('fails the build on a compile error, naming file, line and column', async () => {
    const broken = templateCopy();
    writeFileSync(join(broken, 'lib/main.dart'), 'void main() {\n  runApp(const Missing())\n}\n');
    const { code, output } = await flutter(broken, ['build', 'web']);
    expect(code).toBe(1);
    expect(output).toContain("lib/main.dart:2:25: Error: Expected to find ';'.");
    expect(output).toContain('Error: Failed to compile application for the Web.');
    expect(existsSync(join(broken, 'build/web/index.html'))).toBe(false);
  });
});
