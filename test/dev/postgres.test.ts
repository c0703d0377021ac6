import { afterAll, describe, expect, it } from "vitest";
import { loadOfficialPostgres } from "../../src/dev/postgres.js";
import { ConfigError } from "../../src/errors.js";
import { makeTempDir, REPO_ROOT, writeFiles } from "../helpers/spawn.js";

const temps: Array<{ cleanup(): void }> = [];
afterAll(() => temps.forEach((t) => t.cleanup()));

/** A project whose node_modules holds fake packages (package.json only, plus tiny ESM entries). */
function project(packages: Record<string, { version: string; peerDependencies?: Record<string, string> }>): string {
  const tmp = makeTempDir("lg-dev-pgload-");
  temps.push(tmp);
  const files: Record<string, string> = { "package.json": "{}" };
  for (const [name, pkg] of Object.entries(packages)) {
    files[`node_modules/${name}/package.json`] = JSON.stringify({
      name,
      ...pkg,
      type: "module",
      exports: { ".": { import: { default: "./index.js" } }, "./store": { import: { default: "./store.js" } } },
    });
    files[`node_modules/${name}/index.js`] = "export class PostgresSaver {}\n";
    files[`node_modules/${name}/store.js`] = "export class PostgresStore {}\n";
  }
  writeFiles(tmp.dir, files);
  return tmp.dir;
}

const EMPTY = () => project({});
const PEERS = { "@langchain/core": "^1.1.44", "@langchain/langgraph-checkpoint": "^1.1.4" };

describe("loading @langchain/langgraph-checkpoint-postgres for --postgres", () => {
  it("names the package and the command when it is missing", async () => {
    const err = await loadOfficialPostgres(EMPTY(), EMPTY()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      "--postgres needs @langchain/langgraph-checkpoint-postgres (checkpoints and store items on PostgreSQL), which is not installed. Run: npm install @langchain/langgraph-checkpoint-postgres@^1.0.5",
    );
  });

  it("refuses a version it was not tested with", async () => {
    const dir = project({ "@langchain/langgraph-checkpoint-postgres": { version: "0.1.3" } });
    await expect(loadOfficialPostgres(dir, EMPTY())).rejects.toThrow(
      "--postgres needs @langchain/langgraph-checkpoint-postgres ^1.0.5, found 0.1.3. Run: npm install @langchain/langgraph-checkpoint-postgres@^1.0.5",
    );
  });

  it("says which of its peers is too old or missing (lg-dev itself allows older ones)", async () => {
    const dir = project({
      "@langchain/langgraph-checkpoint-postgres": { version: "1.0.5", peerDependencies: PEERS },
      "@langchain/core": { version: "1.1.0" },
    });
    await expect(loadOfficialPostgres(dir, EMPTY())).rejects.toThrow(
      '@langchain/langgraph-checkpoint-postgres 1.0.5: @langchain/core 1.1.0 is too old, it needs ^1.1.44; @langchain/langgraph-checkpoint ^1.1.4 is not installed. Run: npm install "@langchain/core@^1.1.44" "@langchain/langgraph-checkpoint@^1.1.4"',
    );
  });

  it("loads the project's copy first, then lg-dev's own", async () => {
    const dir = project({
      "@langchain/langgraph-checkpoint-postgres": { version: "1.0.9", peerDependencies: PEERS },
      "@langchain/core": { version: "1.4.0" },
      "@langchain/langgraph-checkpoint": { version: "1.2.2" },
    });
    const fake = await loadOfficialPostgres(dir, REPO_ROOT);
    expect(fake.PostgresSaver.name).toBe("PostgresSaver");
    expect(Object.getOwnPropertyNames(fake.PostgresSaver.prototype)).toEqual(["constructor"]); // the fake one
    const real = await loadOfficialPostgres(EMPTY(), REPO_ROOT);
    expect(typeof real.PostgresSaver.prototype.setup).toBe("function");
    expect(typeof real.PostgresStore.prototype.setup).toBe("function");
  });
});
