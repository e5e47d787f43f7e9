import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Pubspec } from '../pubspec.ts';
import type { AppView } from './app-view.ts';

export const ENGINE_REVISION = 'cb4b5fff73';

export class BundleError extends Error {}

/** JSON that is safe inside a `<script>`: no `</script>` or HTML comment can close it. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');

/**
 * Writes `build/web` as `flutter build web` lays it out: the project's `web/` files with
 * the base href filled in, the loader (`flutter.js`, `flutter_bootstrap.js`), the program
 * (`main.dart.js`), `version.json`, and `assets/` with the pubspec's assets.
 */
export function writeWebBundle(
  root: string,
  outDir: string,
  opts: { pubspec: Pubspec; view: AppView; baseHref: string; target: string },
): void {
  const web = join(root, 'web');
  if (!existsSync(join(web, 'index.html'))) throw new BundleError('Missing index.html.');
  for (const asset of opts.pubspec.assets) {
    if (!existsSync(join(root, asset))) {
      throw new BundleError(
        `Error: unable to find directory entry in pubspec.yaml: ${join(root, asset)}`,
      );
    }
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  cpSync(web, outDir, { recursive: true });

  const bootstrap = bootstrapJs();
  let index = readFileSync(join(web, 'index.html'), 'utf8')
    .replaceAll('$FLUTTER_BASE_HREF', opts.baseHref)
    .replaceAll('{{flutter_bootstrap_js}}', bootstrap)
    .replaceAll('{{flutter_js}}', LOADER)
    .replaceAll('{{flutter_build_config}}', buildConfig());
  // A page without the bootstrap script would stay blank; flutter warns, we add it.
  if (!index.includes('flutter_bootstrap.js') && !index.includes('_flutter.loader')) {
    index = index.replace(
      '</body>',
      '  <script src="flutter_bootstrap.js" async></script>\n</body>',
    );
  }
  writeFileSync(join(outDir, 'index.html'), index);
  writeFileSync(join(outDir, 'flutter.js'), LOADER);
  writeFileSync(join(outDir, 'flutter_bootstrap.js'), bootstrap);
  writeFileSync(join(outDir, 'main.dart.js'), programJs(opts.view, opts.target));
  const [version, build] = opts.pubspec.version.split('+');
  writeFileSync(
    join(outDir, 'version.json'),
    JSON.stringify({
      app_name: opts.pubspec.name,
      version: version ?? '1.0.0',
      build_number: build ?? '1',
      package_name: opts.pubspec.name,
    }),
  );
  if (!existsSync(join(outDir, 'manifest.json'))) {
    writeFileSync(
      join(outDir, 'manifest.json'),
      JSON.stringify({ name: opts.view.title, short_name: opts.pubspec.name, start_url: '.' }),
    );
  }
  writeAssets(root, join(outDir, 'assets'), opts.pubspec);
}

function writeAssets(root: string, dir: string, pubspec: Pubspec) {
  mkdirSync(dir, { recursive: true });
  const manifest: Record<string, Array<{ asset: string }>> = {};
  for (const asset of pubspec.assets) {
    const target = join(dir, asset);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(root, asset), target, { recursive: true });
    manifest[asset] = [{ asset }];
  }
  writeFileSync(join(dir, 'AssetManifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'FontManifest.json'), '[]');
  writeFileSync(
    join(dir, 'NOTICES'),
    'Simulated build: the simulated Flutter toolchain bundles no third-party code.\n',
  );
}

const buildConfig = () =>
  `if (!window._flutter) { window._flutter = {}; }\n_flutter.buildConfig = ${scriptJson({
    engineRevision: ENGINE_REVISION,
    builds: [{ compileTarget: 'dart2js', renderer: 'canvaskit', mainJsPath: 'main.dart.js' }],
  })};`;

/** The loader: same global and entry point as flutter.js, loading the one build it has. */
const LOADER = `// Simulated Flutter loader (flutter.js): loads the build listed in _flutter.buildConfig.
(function () {
  "use strict";
  if (!window._flutter) { window._flutter = {}; }
  window._flutter.loader = {
    load: function (options) {
      var config = (options && options.config) || {};
      var build = (window._flutter.buildConfig || { builds: [] }).builds[0] || { mainJsPath: "main.dart.js" };
      var base = config.entrypointBaseUrl || document.baseURI;
      var script = document.createElement("script");
      script.src = new URL(build.mainJsPath, base).toString();
      script.type = "application/javascript";
      document.body.append(script);
    }
  };
})();
`;

const bootstrapJs = () => `${LOADER}\n${buildConfig()}\n\n_flutter.loader.load();\n`;

/** The "compiled" program: draws the app's title and texts, and says it is simulated. */
function programJs(view: AppView, target: string): string {
  return `// Simulated build of ${target}: the simulated Flutter toolchain did not compile Dart.
// It shows the app's title and the texts its source puts on screen.
(function dartProgram() {
  "use strict";
  var app = ${scriptJson(view)};
  var el = function (tag, style, text) {
    var node = document.createElement(tag);
    if (style) node.setAttribute("style", style);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  document.title = app.title;
  var root = el("flutter-view", "display:flex;flex-direction:column;min-height:100vh;margin:0;font-family:Roboto,Helvetica,Arial,sans-serif;background:#fdfbff;color:#1b1b1f");
  var notice = el("div", "background:#ffe08a;color:#3d2e00;padding:6px 12px;font-size:13px", "Simulated Flutter build: a preview of this app's content, not the app running." + (app.byline ? " " + app.byline + "." : ""));
  notice.setAttribute("role", "note");
  root.append(notice);
  var bar = el("header", "background:#c5cae9;padding:18px 16px;font-size:22px", app.appBarTitle || app.title);
  root.append(bar);
  var body = el("main", "flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:12px;padding:24px");
  app.texts.forEach(function (t) { body.append(el("p", "margin:0;font-size:16px", t)); });
  root.append(body);
  if (app.fab) {
    root.append(el("button", "position:fixed;right:16px;bottom:16px;width:56px;height:56px;border-radius:16px;border:0;background:#3f51b5;color:#fff;font-size:24px", "+"));
  }
  document.body.style.margin = "0";
  document.body.append(root);
})();
`;
}
