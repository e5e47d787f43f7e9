import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The fault suite has its own run (vitest.faults.config.ts, `npm run test:faults`).
    exclude: ['tests/deno/**', 'tests/faults/**', 'node_modules/**'],
    globalSetup: ['tests/setup/global.ts'],
    setupFiles: ['tests/setup/msw.ts'],
    pool: 'forks',
    // Files spend most of their time waiting on PostgreSQL, a stack or a child process, so
    // one more file than there are spare cores runs at once (vitest's default is cores - 1).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    coverage: {
      provider: 'v8',
      // What is deployed or runs in production: the functions' code and the worker.
      include: ['shared/**/*.ts', 'worker/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: '.local/coverage',
      // The figures are worth seeing when a test fails too (CI shows both at once).
      reportOnFailure: true,
      thresholds: {
        'shared/**/*.ts': { lines: 80 },
        'worker/**/*.ts': { lines: 80 },
      },
    },
  },
});
