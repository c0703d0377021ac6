/**
 * `http.mount_prefix`: the whole server (API, /docs, /studio, /ui, the custom app's routes) under one path, as the
 * Python server mounts its app at the prefix. Fastify's `rewriteUrl` takes the prefix off before routing, so every
 * route, hook and the custom app see the paths they were written for (`/threads`, `/hello`); `req.originalUrl`
 * keeps what the client asked for. A path outside the prefix is answered 404 before anything else runs.
 */
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import { notFound } from "./errors.js";

/** `url` below `prefix` ("/my-api/threads?x" -> "/threads?x", "/my-api" -> "/"), or undefined when outside it. */
export function stripMountPrefix(url: string, prefix: string): string | undefined {
  if (!url.startsWith(prefix)) return undefined;
  const rest = url.slice(prefix.length);
  if (rest === "") return "/";
  if (rest.startsWith("/")) return rest;
  if (rest.startsWith("?")) return `/${rest}`;
  return undefined; // "/my-apix"
}

/** Fastify's `rewriteUrl` for `prefix`: paths outside it are left as they are (the guard answers them). */
export const rewriteForMount = (prefix: string) => (req: IncomingMessage): string => {
  const url = req.url ?? "/";
  return stripMountPrefix(url, prefix) ?? url;
};

/** Answer 404 for every request outside `prefix`: register before any other hook. */
export function guardMount(app: FastifyInstance, prefix: string): void {
  app.addHook("onRequest", async (req, reply) => {
    if (stripMountPrefix(req.originalUrl, prefix) === undefined) return notFound(req, reply);
  });
}
