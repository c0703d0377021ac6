import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { loadAuth, resolveAuthPath } from "../../src/auth/index.js";
import { FIXTURES, importMjs, importTs, rejectionOf, requestInfo } from "./helpers.js";

const dir = path.join(FIXTURES, "auth-modules");
const load = (authPath: string) => loadAuth({ authConfig: { path: authPath }, configDir: dir, importModule: importMjs });

describe("resolveAuthPath", () => {
  it("splits on the last colon and defaults to the default export", () => {
    expect(resolveAuthPath("./src/auth.ts:auth", "/proj")).toEqual({ file: "/proj/src/auth.ts", exportName: "auth" });
    expect(resolveAuthPath("./src/auth.ts", "/proj")).toEqual({ file: "/proj/src/auth.ts", exportName: "default" });
    expect(resolveAuthPath("./src/auth.ts:", "/proj")).toEqual({ file: "/proj/src/auth.ts", exportName: "default" });
    expect(resolveAuthPath("./a:b/auth.ts:myAuth", "/proj")).toEqual({ file: "/proj/a:b/auth.ts", exportName: "myAuth" });
  });

  it("keeps a Windows drive letter as part of the path", () => {
    expect(resolveAuthPath("C:\\proj\\auth.ts", "/x").exportName).toBe("default");
  });
});

describe("loadAuth", () => {
  it("is disabled without an auth path", async () => {
    for (const authConfig of [undefined, {}, { disable_studio_auth: true }]) {
      const service = await loadAuth({ authConfig, configDir: dir, importModule: importMjs });
      expect(service.enabled).toBe(false);
      expect(await service.authenticate(requestInfo({ headers: { "x-auth-scheme": "langsmith" } }))).toBeUndefined();
      expect(await service.authorize(undefined, { resource: "threads", action: "read", value: {} })).toBeUndefined();
    }
  });

  it("loads the default export when no name is given", async () => {
    const service = await load("./default-export.mjs");
    expect(service.enabled).toBe(true);
    expect(service.file).toBe(path.join(dir, "default-export.mjs"));
    const ctx = await service.authenticate(requestInfo({ peerIsLoopback: false }));
    expect(ctx?.user.identity).toBe("default-user");
  });

  it("loads a TypeScript module through the given importer", async () => {
    const service = await loadAuth({
      authConfig: { path: "./auth-tutorial/auth.ts:auth" },
      configDir: FIXTURES,
      importModule: importTs,
    });
    expect(service.enabled).toBe(true);
  });

  it("reports a missing file with its absolute path", async () => {
    const err = await rejectionOf(load("./nope.mjs:auth"));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(path.join(dir, "nope.mjs"));
    expect(err.message).toContain("not found");
  });

  it("reports a directory given as the module", async () => {
    const err = await rejectionOf(loadAuth({ authConfig: { path: "./auth-modules" }, configDir: FIXTURES, importModule: importMjs }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("not a file");
  });

  it("reports a missing export and lists the ones that exist", async () => {
    const err = await rejectionOf(load("./default-export.mjs:auth"));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/has no export "auth" \(exports: default\)/);
    expect(err.message).toContain("default-export.mjs");
  });

  it("rejects exports that are not an Auth, with a hint", async () => {
    const cases: Array<[string, RegExp]> = [
      ["auth", /an object with keys authenticate/],
      ["authenticate", /a function "authenticate"/],
      ["Auth", /the class Auth, not an instance/],
    ];
    for (const [name, problem] of cases) {
      const err = await rejectionOf(load(`./not-auth.mjs:${name}`));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toContain(`Export "${name}" of ${path.join(dir, "not-auth.mjs")} is not an Auth`);
      expect(err.message).toMatch(problem);
    }
  });

  it("reports a module that throws while importing", async () => {
    const err = await rejectionOf(load("./throws.mjs:auth"));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(path.join(dir, "throws.mjs"));
    expect(err.message).toContain("auth module exploded at import");
    expect((err.cause as Error).message).toBe("auth module exploded at import");
  });

  it("looks through CommonJS interop for the export", async () => {
    const real = (await importMjs(path.join(dir, "probe.mjs"))).auth;
    const service = await loadAuth({
      authConfig: { path: "./probe.mjs:auth" },
      configDir: dir,
      importModule: async () => ({ default: { auth: real } }),
    });
    expect(service.enabled).toBe(true);
  });

  it("accepts disable_studio_auth as a boolean or a string in any case, and rejects other values", async () => {
    const studio = requestInfo({ headers: { "x-auth-scheme": "langsmith", "x-mode": "string" } });
    for (const [flag, identity] of [[true, "alice"], ["true", "alice"], ["TRUE", "alice"], [false, "langgraph-studio-user"], ["false", "langgraph-studio-user"], ["False", "langgraph-studio-user"]] as const) {
      const service = await loadAuth({
        authConfig: { path: "./probe.mjs:auth", disable_studio_auth: flag },
        configDir: dir,
        importModule: importMjs,
      });
      expect((await service.authenticate(studio))?.user.identity).toBe(identity);
    }
    const err = await rejectionOf(
      loadAuth({ authConfig: { path: "./probe.mjs:auth", disable_studio_auth: "yes" }, configDir: dir, importModule: importMjs }),
    );
    expect(err).toBeInstanceOf(ConfigError);
  });
});
