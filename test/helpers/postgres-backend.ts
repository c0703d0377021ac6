/**
 * Setup file of the "postgres" vitest project (LG_DEV_TEST_BACKEND=postgres): after each test file, the throwaway
 * PostgreSQL cluster its servers used is stopped and removed. Registered before the file's own hooks, so it runs
 * after them (its servers are stopped by then).
 */
import { afterAll } from "vitest";
import { releaseTestCluster } from "./spawn.js";

afterAll(releaseTestCluster);
