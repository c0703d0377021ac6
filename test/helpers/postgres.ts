import { basename } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { startPgCluster, type PgCluster } from "./pg-cluster.js";

export { findPostgresBin, startPgCluster, type PgCluster } from "./pg-cluster.js";

/**
 * A cluster for the enclosing test file (or describe block) with one database named after the file: started in
 * beforeAll, destroyed in afterAll, also when tests fail.
 */
export function usePostgres(): { readonly cluster: PgCluster; readonly url: string } {
  let cluster: PgCluster | undefined;
  let url: string | undefined;
  beforeAll(async () => {
    cluster = await startPgCluster();
    const file = expect.getState().testPath;
    const name = file ? basename(file).replace(/\.test\.ts$/, "").replace(/[^a-z0-9]+/gi, "_").toLowerCase() : "lgdev_test";
    url = await cluster.createDatabase(name);
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });
  return {
    get cluster() {
      if (!cluster) throw new Error("usePostgres(): the cluster starts in beforeAll");
      return cluster;
    },
    get url() {
      if (!url) throw new Error("usePostgres(): the cluster starts in beforeAll");
      return url;
    },
  };
}
