import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault scenarios, each against the real stack, worker process and
// PostgreSQL. Apart from `npm test` because every file starts a whole system of its own.
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    globalSetup: ['tests/setup/global.ts'],
    setupFiles: ['tests/setup/msw.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    restoreMocks: true,
  },
});
