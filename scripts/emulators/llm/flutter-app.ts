import type { LlmReply } from '../../../worker/llm/protocol.ts';

/** How the emulator marks what it writes: in the code and in the summary. */
export const BYLINE = 'Written by the LLM emulator (a deterministic stand-in, not a real model)';

type Kind = 'todo' | 'counter' | 'page';

const FILLER = new Set(
  'a an the app application for me please make build create write with that which and simple small little i want need'.split(
    ' ',
  ),
);

/** The kind of app a prompt asks for, by its words. */
function kindOf(prompt: string): Kind {
  const p = prompt.toLowerCase();
  if (/\b(todo|to-do|task|tasks|checklist|shopping|list|notes?)\b/.test(p)) return 'todo';
  if (/\b(counter|count|tap|taps|click|clicks|tally)\b/.test(p)) return 'counter';
  return 'page';
}

/** A short title from the prompt's meaningful words: "a todo list app" → "Todo List". */
export function titleFor(prompt: string): string {
  const words = prompt
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w && !FILLER.has(w.toLowerCase()))
    .slice(0, 4)
    .map((w) => w[0]?.toUpperCase() + w.slice(1).toLowerCase());
  const title = words.join(' ').slice(0, 40).trim();
  return title || 'My App';
}

/** A Dart single-quoted string literal holding `text` exactly. */
export function dartString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\$/g, '\\$')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '');
  return `'${escaped}'`;
}

/** The prompt on one line, short, for a `//` comment. */
const commentLine = (prompt: string) => prompt.replace(/\s+/g, ' ').trim().slice(0, 100);

/**
 * The app the emulator writes for a prompt: the same prompt always gives the same files.
 * A todo list, a counter, or a page showing the request, titled from the prompt.
 */
export function appFor(prompt: string): LlmReply {
  const kind = kindOf(prompt);
  const title = titleFor(prompt);
  const header = `// ${BYLINE}.\n// Request: ${commentLine(prompt)}\nimport 'package:flutter/material.dart';\n\nvoid main() {\n  runApp(const GeneratedApp());\n}\n\nclass GeneratedApp extends StatelessWidget {\n  const GeneratedApp({super.key});\n\n  @override\n  Widget build(BuildContext context) {\n    return MaterialApp(\n      title: ${dartString(title)},\n      debugShowCheckedModeBanner: false,\n      theme: ThemeData(\n        colorScheme: ColorScheme.fromSeed(seedColor: Colors.teal),\n        useMaterial3: true,\n      ),\n      home: const HomePage(),\n    );\n  }\n}\n`;
  const body =
    kind === 'todo'
      ? todoPage(title)
      : kind === 'counter'
        ? counterPage(title)
        : plainPage(title, prompt);
  const what =
    kind === 'todo' ? 'a to-do list' : kind === 'counter' ? 'a counter' : 'a single page';
  return {
    summary: `${BYLINE}: ${what} app titled "${title}", in lib/main.dart.`,
    files: [{ path: 'lib/main.dart', content: `${header}\n${body}` }],
  };
}

const todoPage = (title: string) => `class HomePage extends StatefulWidget {
  const HomePage({super.key});

  @override
  State<HomePage> createState() => _HomePageState();
}

class _HomePageState extends State<HomePage> {
  final TextEditingController _controller = TextEditingController();
  final List<String> _items = <String>[];
  final Set<int> _done = <int>{};

  void _add() {
    final text = _controller.text.trim();
    if (text.isEmpty) return;
    setState(() {
      _items.add(text);
      _controller.clear();
    });
  }

  @override
  void dispose() {
    _controller.dispose();
    super.dispose();
  }

  @override
  Widget build(BuildContext context) {
    return Scaffold(
      appBar: AppBar(title: const Text(${dartString(title)})),
      body: Column(
        children: <Widget>[
          Padding(
            padding: const EdgeInsets.all(12),
            child: TextField(
              controller: _controller,
              decoration: const InputDecoration(hintText: 'Add an item'),
              onSubmitted: (_) => _add(),
            ),
          ),
          Expanded(
            child: ListView.builder(
              itemCount: _items.length,
              itemBuilder: (context, index) => CheckboxListTile(
                value: _done.contains(index),
                title: Text(_items[index]),
                onChanged: (checked) => setState(() {
                  if (checked ?? false) {
                    _done.add(index);
                  } else {
                    _done.remove(index);
                  }
                }),
              ),
            ),
          ),
        ],
      ),
      floatingActionButton: FloatingActionButton(
        onPressed: _add,
        tooltip: 'Add',
        child: const Icon(Icons.add),
      ),
    );
  }
}
`;

const counterPage = (title: string) => `class HomePage extends StatefulWidget {
  const HomePage({super.key});

  @override
  State<HomePage> createState() => _HomePageState();
}

class _HomePageState extends State<HomePage> {
  int _count = 0;

  @override
  Widget build(BuildContext context) {
    return Scaffold(
      appBar: AppBar(title: const Text(${dartString(title)})),
      body: Center(
        child: Column(
          mainAxisAlignment: MainAxisAlignment.center,
          children: <Widget>[
            const Text('You have pressed the button this many times:'),
            Text('$_count', style: Theme.of(context).textTheme.headlineMedium),
          ],
        ),
      ),
      floatingActionButton: FloatingActionButton(
        onPressed: () => setState(() => _count++),
        tooltip: 'Increment',
        child: const Icon(Icons.add),
      ),
    );
  }
}
`;

const plainPage = (title: string, prompt: string) => `class HomePage extends StatelessWidget {
  const HomePage({super.key});

  @override
  Widget build(BuildContext context) {
    return Scaffold(
      appBar: AppBar(title: const Text(${dartString(title)})),
      body: const Center(
        child: Padding(
          padding: EdgeInsets.all(24),
          child: Text(
            ${dartString(prompt.trim().slice(0, 500))},
            textAlign: TextAlign.center,
          ),
        ),
      ),
    );
  }
}
`;
