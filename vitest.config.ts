import { defineConfig } from "vitest/config";

/**
 * End-to-end tests that also run against the lowest peer versions lg-dev declares (the "lowest" project): the files
 * whose behaviour depends on the peers (runs, streams, state, checkpoints, the store, auth, graph drawing).
 */
const LOWEST = ["test/e2e/{core,stream-modes,sdk-surface,auth-tutorial,durability}.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Two cores: end-to-end files spawn servers, so keep file parallelism modest.
    maxWorkers: 2,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    projects: [
      // The versions this repository pins (devDependencies): every test.
      { extends: true, test: { name: "latest", include: ["test/**/*.test.ts"] } },
      // lg-dev packed and installed beside the lowest version of each peer (test/matrix/lowest-peers.ts).
      { extends: true, test: { name: "lowest", include: LOWEST, globalSetup: ["test/matrix/lowest-peers.ts"] } },
    ],
  },
});
