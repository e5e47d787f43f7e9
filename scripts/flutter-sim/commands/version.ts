import { out, pause } from '../console.ts';

/** The release the simulated toolchain reports being, with its real revisions. */
export const VERSION = {
  frameworkVersion: '3.27.1',
  channel: 'stable',
  repositoryUrl: 'https://github.com/flutter/flutter.git',
  frameworkRevision: '17025dd88227cd9532c33fa78f5250d548d87e9a',
  frameworkCommitDate: '2024-12-17 03:23:09 +0900',
  engineRevision: 'cb4b5fff73850b2e42bd4de7cb9a4310a78ac40d',
  dartSdkVersion: '3.6.0',
  devToolsVersion: '2.40.2',
  flutterVersion: '3.27.1',
  flutterRoot: '/flutter',
};

/** `flutter --version` (and `--version --machine`, which prints JSON). */
export async function versionCommand(machine: boolean): Promise<number> {
  await pause(300);
  if (machine) {
    out(JSON.stringify(VERSION, null, 2));
    return 0;
  }
  const v = VERSION;
  out(`Flutter ${v.frameworkVersion} • channel ${v.channel} • ${v.repositoryUrl}`);
  out(
    `Framework • revision ${v.frameworkRevision.slice(0, 10)} (simulated) • ${v.frameworkCommitDate}`,
  );
  out(`Engine • revision ${v.engineRevision.slice(0, 10)}`);
  out(`Tools • Dart ${v.dartSdkVersion} • DevTools ${v.devToolsVersion}`);
  return 0;
}
