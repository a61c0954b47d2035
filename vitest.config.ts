import { defineConfig } from 'vitest/config';

// Tiers are in the file name (*.unit|contract|e2e|chaos.test.ts) so each can run alone:
// `npm run test:unit`, `npm run test:contract`, ...
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Contract and e2e suites share PostgreSQL databases per file; keep parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
