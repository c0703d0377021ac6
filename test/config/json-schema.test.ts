/**
 * The JSON Schema the package ships for editors (schema/langgraph.schema.json): current with the validator's schema,
 * documenting every key, agreeing with lg-dev on real files; and the README's tables naming every key and flag.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/index.js";
import { editorSchema, JSON_SCHEMA_FILE, KEY_DOCS, schemaKeyPaths } from "../../src/config/json-schema.js";
import { LG_DEV_BIN, REPO_ROOT } from "../helpers/spawn.js";

const shipped = JSON.parse(readFileSync(join(REPO_ROOT, JSON_SCHEMA_FILE), "utf8")) as Record<string, unknown>;
const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

describe("schema/langgraph.schema.json", () => {
  it("is what src/config/schema.ts generates (run `npm run schema` after changing it)", () => {
    expect(shipped).toEqual(editorSchema());
  });

  it("documents every key, and documents nothing that is not a key", () => {
    const paths = schemaKeyPaths();
    expect(paths.filter((p) => !KEY_DOCS[p])).toEqual([]);
    expect(Object.keys(KEY_DOCS).filter((p) => p !== "$schema" && !paths.includes(p))).toEqual([]);
  });

  it("is shipped: package.json's files include it and the export names it", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { files: string[]; exports: Record<string, unknown> };
    expect(pkg.files).toContain("schema");
    expect(pkg.exports["./langgraph.schema.json"]).toBe(`./${JSON_SCHEMA_FILE}`);
  });

  describe("agrees with lg-dev", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const check = ajv.compile(shipped);
    const projectFiles = [
      ...readdirSync(join(REPO_ROOT, "test", "fixtures")).map((d) => join("test", "fixtures", d, "langgraph.json")),
      ...readdirSync(join(REPO_ROOT, "templates")).map((d) => join("templates", d, "langgraph.json")),
      "langgraph.json",
    ].filter((f) => existsSync(join(REPO_ROOT, f)));

    it.each(projectFiles)("%s: both accept it", (file) => {
      const raw = JSON.parse(readFileSync(join(REPO_ROOT, file), "utf8")) as unknown;
      expect(() => resolveConfig(raw, file)).not.toThrow();
      expect(check(raw), JSON.stringify(check.errors)).toBe(true);
    });

    const GRAPHS = { agent: "./src/agent.ts:graph" };
    it.each([
      ["a trailing slash in mount_prefix", { http: { mount_prefix: "/api/" } }],
      ["no leading slash in mount_prefix", { http: { mount_prefix: "api" } }],
      ["a pattern list that is a string", { http: { configurable_headers: { includes: "x-*" } } }],
      ["a number for a boolean", { http: { disable_webhooks: 1 } }],
      ["allowed_hosts false", { http: { allowed_hosts: false } }],
      ["an empty graphs object", { graphs: {} }],
      ["no graphs", { graphs: undefined }],
    ])("both refuse %s", (_what, patch) => {
      const raw = JSON.parse(JSON.stringify({ graphs: GRAPHS, ...patch })) as Record<string, unknown>;
      expect(() => resolveConfig(raw, "langgraph.json")).toThrow(/Invalid langgraph\.json/);
      expect(check(raw)).toBe(false);
    });

    it('both accept "$schema", the docs\' header-pattern spelling, and keys only Python uses', () => {
      const raw = {
        $schema: "./node_modules/lg-dev/schema/langgraph.schema.json",
        graphs: GRAPHS,
        python_version: "3.12",
        auth: { disable_studio_auth: "True" },
        http: { configurable_headers: { include: ["x-*"], exclude: null }, allowed_hosts: "all", mount_prefix: "/api/v1" },
      };
      expect(resolveConfig(raw, "langgraph.json").warnings.filter((w) => w.includes("$schema"))).toEqual([]);
      expect(check(raw), JSON.stringify(check.errors)).toBe(true);
    });
  });
});

/** The rows of the markdown table that follows `heading`: [first cell, whole row]. */
function tableAfter(heading: string): Array<{ key: string; row: string }> {
  const start = README.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const lines = README.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows: Array<{ key: string; row: string }> = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push({ key: line.split("|")[1]!.trim(), row: line });
  }
  return rows;
}

/** The code spans of a markdown cell. */
const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe("the README's tables stay complete", () => {
  it("every key of the schema is in the langgraph.json table (or the webhooks table)", () => {
    const rows = tableAfter("### `langgraph.json`").map((r) => ({ keys: codeSpans(r.key), row: r.row }));
    // The webhooks table's keys are below `webhooks.` (its header says so).
    for (const r of tableAfter("| `webhooks.` |")) rows.push({ keys: codeSpans(r.key).map((k) => `webhooks.${k}`), row: r.row });
    const named = rows.flatMap((r) => r.keys);
    const covered = (path: string): boolean => {
      if (named.includes(path)) return true;
      // An object whose keys have rows of their own.
      if (named.some((k) => k.startsWith(`${path}.`))) return true;
      // A key listed in the notes of its parent's row (`http.cors`: `allow_origins`, …).
      const parts = path.split(".");
      for (let i = parts.length - 1; i > 0; i -= 1) {
        const parent = parts.slice(0, i).join(".");
        const rest = parts.slice(i).join(".");
        if (rows.some((r) => r.keys.includes(parent) && (codeSpans(r.row).includes(rest) || new RegExp(`[{ ,]${rest}[,}]`).test(r.row)))) return true;
      }
      return false;
    };
    expect(schemaKeyPaths().filter((p) => !covered(p))).toEqual([]);
  });

  /** The long flags (and `--no-*` forms) `--help` lists. */
  const flagsOf = (args: string[]) => {
    const help = execFileSync(process.execPath, [LG_DEV_BIN, ...args, "--help"], { encoding: "utf8" });
    const options = help.slice(help.indexOf("Options:"), help.indexOf("Commands:") === -1 ? undefined : help.indexOf("Commands:"));
    return [...new Set([...options.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!))];
  };

  it("every flag of `lg-dev --help` is in the README's flag table", () => {
    const cells = tableAfter("### Command line").flatMap((r) => codeSpans(r.key));
    const flags = flagsOf([]);
    expect(flags.length).toBeGreaterThan(15);
    expect(flags.filter((f) => !cells.some((c) => c.split(/[ ,]/).includes(f)))).toEqual([]);
  });

  it("every flag of `lg-dev serve --help` is in the serve section", () => {
    const start = README.indexOf("### `lg-dev serve`");
    const section = README.slice(start, README.indexOf("\n### ", start + 1));
    const spans = codeSpans(section).flatMap((c) => c.split(/[ ,]/));
    const flags = flagsOf(["serve"]);
    expect(flags.length).toBeGreaterThan(10);
    expect(flags.filter((f) => !spans.includes(f))).toEqual([]);
  });
});
