/**
 * What a page can show of a Flutter app without compiling it: its title, the words it puts
 * on screen, and whether it has a floating action button. Read from the source with
 * patterns; a simulated build is a preview of the app's content, not the app running.
 */
export interface AppView {
  title: string;
  appBarTitle?: string;
  texts: string[];
  fab: boolean;
  /** A comment of the source's own saying who wrote it (`// Written by …`), if any. */
  byline?: string;
}

const STRING = String.raw`'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"`;
const first = (m: RegExpExecArray | null) => (m ? (m[1] ?? m[2] ?? '') : undefined);

/** Dart string contents as shown on screen: escapes resolved, interpolations as `…`. */
function display(text: string): string {
  return text
    .replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, '…')
    .replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? ' ' : ch))
    .trim();
}

export function readAppView(source: string, fallbackTitle: string): AppView {
  const title = first(
    new RegExp(
      String.raw`(?:MaterialApp|CupertinoApp|WidgetsApp)(?:\.router)?\s*\([\s\S]*?\btitle:\s*(?:${STRING})`,
    ).exec(source),
  );
  const appBarTitle = first(
    new RegExp(
      String.raw`(?:AppBar|CupertinoNavigationBar)\s*\([\s\S]*?(?:title|middle):\s*(?:const\s+)?Text\(\s*(?:${STRING})`,
    ).exec(source),
  );
  const texts: string[] = [];
  const pattern = new RegExp(
    String.raw`\b(?:Text|hintText:|labelText:|tooltip:)\s*\(?\s*(?:${STRING})`,
    'g',
  );
  for (const m of source.matchAll(pattern)) {
    const text = display(m[1] ?? m[2] ?? '');
    if (text && text !== '…' && !texts.includes(text) && texts.length < 40) texts.push(text);
  }
  const byline = /^\s*\/\/\s*(Written by .*?)\.?\s*$/m.exec(source)?.[1]?.trim();
  return {
    title: display(title ?? '') || fallbackTitle,
    appBarTitle: appBarTitle === undefined ? undefined : display(appBarTitle),
    texts: texts.filter((t) => t !== appBarTitle),
    fab: /\bFloatingActionButton\b/.test(source),
    byline,
  };
}
