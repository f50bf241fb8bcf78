import { defineConfig } from "vitest/config";

/**
 * `npm run bench:ha`: the high-availability test (three nats-servers, two cloud processes, a
 * storm, kills and a cluster restart). It took 83–133 s on the shared two-core machine, over the
 * two minutes a test may take inside `npm test`, so it runs on its own.
 */
export default defineConfig({
  test: {
    include: ["tests/**/*.ha-test.ts"],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
