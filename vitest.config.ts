import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous bounds, not expectations: tests wait for conditions, and a 2-core CI machine under
    // load (scripts/test-under-load.sh) may be ten times slower than an idle one. A hang still fails.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: "forks",
    reporters: ["default"],
  },
});
