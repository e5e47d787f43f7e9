import { describe, expect, it } from 'vitest';
import { appFor } from '../../scripts/emulators/llm/flutter-app.ts';
import { readAppView } from '../../scripts/flutter-sim/web/app-view.ts';

describe('readAppView: what a simulated build shows of an app', () => {
  it('reads the title, the app bar, the texts and the byline of a generated app', () => {
    const source = appFor('a todo list for Bob\'s "chores" at $5').files[0]!.content;
    expect(readAppView(source, 'app')).toEqual({
      title: 'Todo List Bobs Chores',
      appBarTitle: 'Todo List Bobs Chores',
      texts: ['Add an item', 'Add'],
      fab: true,
      byline: 'Written by the LLM emulator (a deterministic stand-in, not a real model)',
    });
  });

  it('shows interpolations as an ellipsis and falls back to the package name', () => {
    // Dart source: interpolation is Dart's, not this file's.
    const dart = ["Text('Hello, $name and $", "{user.email}!')", '\nText("it\\\'s")'].join('');
    const view = readAppView(dart, 'my_app');
    expect(view).toEqual({
      title: 'my_app',
      appBarTitle: undefined,
      texts: ['Hello, … and …!', "it's"],
      fab: false,
      byline: undefined,
    });
  });
});
