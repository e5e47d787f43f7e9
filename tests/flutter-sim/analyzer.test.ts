import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeSources } from '../../scripts/flutter-sim/dart/analyzer.ts';
import { formatDiagnostic } from '../../scripts/flutter-sim/dart/diagnostics.ts';
import { parsePubspec } from '../../scripts/flutter-sim/pubspec.ts';

const TEMPLATE = new URL('../../worker/template/', import.meta.url).pathname;
const pubspec = parsePubspec(readFileSync(`${TEMPLATE}pubspec.yaml`, 'utf8'));

/** Diagnostics of one lib/main.dart (plus other files) as `code@line:col`. */
function analyze(main: string, more: Record<string, string> = {}) {
  const files = new Map([['lib/main.dart', main], ...Object.entries(more)]);
  return analyzeSources({ files, pubspec, lints: { avoidPrint: true } });
}
const codes = (main: string, more?: Record<string, string>) =>
  analyze(main, more).map((d) => `${d.code}@${d.line}:${d.column}`);

const app = (body: string, imports = "import 'package:flutter/material.dart';") =>
  `${imports}\n\nvoid main() {\n  runApp(const MyApp());\n}\n\n${body}\n`;

describe('simulated analyzer: correct code', () => {
  it('finds nothing in the template app', () => {
    expect(analyze(readFileSync(`${TEMPLATE}lib/main.dart`, 'utf8'))).toEqual([]);
  });

  it('accepts lambdas, enums, switch expressions, multi-line headers and interpolation', () => {
    const source = app(`enum Filter { all, done }

class MyApp extends StatefulWidget
    implements PreferredSizeWidget {
  const MyApp({super.key});

  @override
  Size get preferredSize => const Size.fromHeight(56);

  @override
  State<MyApp> createState() => _MyAppState();
}

class _MyAppState extends State<MyApp> {
  final List<String> _items = ['a', 'b'];
  Filter _filter = Filter.all;

  String label(Filter f) => switch (f) {
        Filter.all => 'All \${_items.length}',
        Filter.done => 'Done'
      };

  @override
  Widget build(BuildContext context) {
    for (final item in _items) {
      debugPrint(item);
    }
    if (_items.isEmpty)
      return const SizedBox();
    return ListView.builder(
      itemCount: _items.length,
      itemBuilder: (context, index) => ListTile(
        title: Text('$index: \${_items[index]} \${label(_filter)}'),
        onTap: () => setState(() => _filter = Filter.done),
      ),
    );
  }
}`);
    expect(analyze(source).map(formatDiagnostic)).toEqual([]);
  });

  it('resolves names across files through relative and package: imports', () => {
    const main = app(
      'class MyApp extends StatelessWidget {\n  const MyApp({super.key});\n  @override\n  Widget build(BuildContext context) => TodoView(todo: Todo(title: formatTitle()));\n}',
      "import 'package:flutter/material.dart';\nimport 'models/todo.dart';\nimport 'package:app/views/todo_view.dart';",
    );
    const more = {
      'lib/models/todo.dart':
        "class Todo {\n  Todo({required this.title});\n  final String title;\n}\n\nString formatTitle() => 'x';\n",
      'lib/views/todo_view.dart':
        "import 'package:flutter/material.dart';\nimport '../models/todo.dart';\n\nclass TodoView extends StatelessWidget {\n  const TodoView({super.key, required this.todo});\n  final Todo todo;\n  @override\n  Widget build(BuildContext context) => Text(todo.title);\n}\n",
    };
    expect(codes(main, more)).toEqual([]);
  });
});

describe('simulated analyzer: mistakes', () => {
  it('reports a missing semicolon at the token before it', () => {
    const source = app('class MyApp extends StatelessWidget {\n  const MyApp({super.key})\n}');
    expect(codes(source)).toEqual(['expected_token@8:26']);
    expect(formatDiagnostic(analyze(source)[0]!)).toBe(
      "  error • Expected to find ';' • lib/main.dart:8:26 • expected_token",
    );
  });

  it('reports a missing semicolon between two statements', () => {
    const source = "void f(String s) {\n  f('a')\n  f('b');\n}\n";
    expect(codes(source)).toEqual(['expected_token@2:8']);
  });

  it('reports unbalanced brackets', () => {
    expect(codes("void f(String s) {\n  f('a';\n}\n")).toEqual(['expected_token@2:5']);
    expect(codes('void main() {\n}\n}\n')).toEqual(['unexpected_token@3:1']);
    expect(codes('class A {\n  void f() {\n}\n')).toEqual(['expected_token@3:1']);
  });

  it('reports unterminated strings and comments', () => {
    expect(codes("void main() {\n  final s = 'open;\n}\n")).toContain(
      'unterminated_string_literal@2:13',
    );
    expect(codes('void main() {}\n/* never closed\n')).toEqual([
      'unterminated_multi_line_comment@2:1',
    ]);
  });

  it('reports imports of packages that are not in pubspec.yaml, and files that do not exist', () => {
    const source = app(
      'class MyApp extends StatelessWidget {\n  const MyApp({super.key});\n  @override\n  Widget build(BuildContext context) => const Placeholder();\n}',
      "import 'package:flutter/material.dart';\nimport 'package:provider/provider.dart';\nimport 'widgets/missing.dart';\nimport 'dart:nope';",
    );
    expect(codes(source)).toEqual([
      'uri_does_not_exist@2:8',
      'uri_does_not_exist@3:8',
      'uri_does_not_exist@4:8',
    ]);
    expect(analyze(source)[0]?.message).toBe(
      "Target of URI doesn't exist: 'package:provider/provider.dart'. Try creating the file referenced by the URI, or try using a URI for a file that does exist.",
    );
  });

  it('reports a dev dependency imported from lib/ as an info', () => {
    const source = "import 'package:flutter_test/flutter_test.dart';\n\nvoid main() {}\n";
    expect(codes(source)).toEqual(['depend_on_referenced_packages@1:8']);
  });

  it('reports undefined functions, classes and names, also inside interpolation', () => {
    const source = app(`class MyApp extends StatelessWidget {
  const MyApp({super.key});
  final Strin name = 'x';

  @override
  Widget build(BuildContext context) {
    return Scafold(body: Text('Hi $nobody'));
  }
}`);
    expect(codes(source)).toEqual([
      'undefined_class@9:9',
      'undefined_function@13:12',
      'undefined_identifier@13:36',
    ]);
  });

  it('needs dart:async for Timer, and reports print under flutter_lints', () => {
    const source = "void main() {\n  Timer(const Duration(seconds: 1), () {});\n  print('x');\n}\n";
    expect(codes(source)).toEqual(['undefined_function@2:3', 'avoid_print@3:3']);
    expect(codes(`import 'dart:async';\n${source}`)).toEqual(['avoid_print@4:3']);
  });
});
