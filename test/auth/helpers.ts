/** Shared bits of the auth tests: fixture paths, module importers, request builders. */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import type { AuthRequestInfo } from "../../src/auth/index.js";

/** test/fixtures, where the auth modules live. */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures");

/** Plain ESM import, for the .mjs fixtures. */
export const importMjs = (file: string): Promise<Record<string, unknown>> => import(pathToFileURL(file).href);

/** TypeScript-aware import, like the graphs/ layer provides. */
export const importTs = (file: string): Promise<Record<string, unknown>> => tsImport(pathToFileURL(file).href, import.meta.url);

/** A request as the server would describe it; loopback unless said otherwise. */
export function requestInfo(overrides: Partial<AuthRequestInfo> = {}): AuthRequestInfo {
  return {
    method: "GET",
    url: "http://127.0.0.1:2024/threads/search?limit=1",
    headers: { host: "127.0.0.1:2024" },
    peerIsLoopback: true,
    ...overrides,
  };
}

/** The promise's rejection, for assertions on error classes and fields. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected the promise to reject");
}
