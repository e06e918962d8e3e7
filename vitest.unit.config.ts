import { defineConfig } from 'vitest/config';

// Tests that need no database (pricing engine, executor pieces): `npx vitest run -c vitest.unit.config.ts`.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/executor/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
