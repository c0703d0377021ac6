import { defineConfig } from "vitest/config";

/**
 * End-to-end tests that also run against the lowest peer versions lg-dev declares (the "lowest" project): the files
 * whose behaviour depends on the peers (runs, streams, state, checkpoints, the store, auth, graph drawing).
 */
const LOWEST = ["test/e2e/{core,stream-modes,sdk-surface,auth-tutorial,durability}.test.ts"];

/**
 * End-to-end tests that run a second time with every server they start on PostgreSQL (the "postgres" project:
 * LG_DEV_TEST_BACKEND=postgres, see test/helpers/spawn.ts), so both backends give the same answers. Left out: files
 * that start their own PostgreSQL (multi-process, serve), the embedded store's lock on .langgraph_api/ (restart-zombie),
 * and files whose lg-dev processes are not started through the helpers that choose the backend (package and
 * peer-versions install packages, debugger spawns its own): they would only run again as they already do.
 */
const POSTGRES_EXCLUDE = ["test/e2e/{multi-process,serve,restart-zombie,package,peer-versions,debugger}.test.ts"];

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
      // The same end-to-end tests with their data in PostgreSQL (one throwaway cluster per test file).
      { extends: true, test: { name: "postgres", include: ["test/e2e/**/*.test.ts"], exclude: POSTGRES_EXCLUDE, env: { LG_DEV_TEST_BACKEND: "postgres" }, setupFiles: ["test/helpers/postgres-backend.ts"] } },
    ],
  },
});
