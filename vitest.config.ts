import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start brokers, XS workers and browsers; two cores do best with two at a time.
    maxWorkers: 2,
    reporters: ["default"],
    // The Improv SDKs ship ES modules without "type": "module"; vitest must transform them itself.
    server: { deps: { inline: ["improv-wifi-sdk", "improv-wifi-serial-sdk"] } },
  },
});
