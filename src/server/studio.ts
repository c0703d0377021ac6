/**
 * The local Studio: the browser app built into `dist/studio` at `prepare`, served as static files at `/studio`.
 * The files need no authentication (they hold no data); every API call the page makes goes through the auth hook.
 * Files are read once, on the first request, with the brotli and gzip copies the build wrote beside them, so a
 * request is a map lookup. Hashed assets are cached for a year; `index.html` is revalidated on every load.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { notFound } from "./errors.js";

/** Where `npm run build` puts the Studio: `dist/studio` at the package root (from src/server or dist/server). */
export const DEFAULT_STUDIO_DIR = fileURLToPath(new URL("../../dist/studio/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** One servable file with its precompressed copies. */
interface StaticFile {
  type: string;
  etag: string;
  immutable: boolean;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/**
 * Every file under `dir` keyed by its URL path below /studio/ (`index.html`, `assets/x-hash.js`). Under a mount
 * prefix, the page's links to its assets (`/studio/assets/…`, the build's base) are rewritten to start with it.
 */
export function loadStudioFiles(dir: string, mountPrefix = ""): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith(".br") && !entry.name.endsWith(".gz")) {
        const key = relative(dir, full).split(sep).join("/");
        const rebase = mountPrefix !== "" && entry.name.endsWith(".html");
        const identity = rebase ? Buffer.from(rebasePage(readFileSync(full, "utf8"), mountPrefix)) : readFileSync(full);
        // (A rewritten page is sent uncompressed: the build's compressed copies hold the old links.)
        const optional = (suffix: string) => (!rebase && existsSync(full + suffix) ? readFileSync(full + suffix) : undefined);
        files.set(key, {
          type: TYPES[extname(entry.name)] ?? "application/octet-stream",
          etag: `"${createHash("sha1").update(identity).digest("base64url").slice(0, 16)}"`,
          // Vite puts content-hashed names under assets/: they never change, so browsers need not ask again.
          immutable: key.startsWith("assets/"),
          identity,
          br: optional(".br"),
          gzip: optional(".gz"),
        });
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * The page under a mount prefix: its asset links start with the prefix, and a `lg-dev-mount-prefix` meta tells the
 * app where the API is (studio/src/api.ts).
 */
export function rebasePage(html: string, mountPrefix: string): string {
  const escaped = mountPrefix.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return html
    .replaceAll('="/studio/', `="${escaped}/studio/`)
    .replace("<head>", `<head>\n    <meta name="lg-dev-mount-prefix" content="${escaped}" />`);
}

/** The encodings a request accepts (`Accept-Encoding`, without those it gives q=0). */
function acceptedEncodings(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? "").toLowerCase().split(",")) {
    const [name, ...params] = part.split(";").map((s) => s.trim());
    const q = params.find((p) => p.startsWith("q="));
    if (name && !(q && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

/** The best encoding the client accepts among those we have (brotli, then gzip, then none). */
function pickEncoding(file: StaticFile, header: string | undefined): "br" | "gzip" | undefined {
  const accepted = acceptedEncodings(header);
  if (file.br && accepted.has("br")) return "br";
  if (file.gzip && accepted.has("gzip")) return "gzip";
  return undefined;
}

/**
 * The page may load and call nothing but this server (a guarantee that the Studio works offline, and a fence
 * against anything injected into it); it may not be framed by other sites.
 */
const CSP = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function send(req: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  reply.header("Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (file.type.startsWith("text/html")) reply.header("Content-Security-Policy", CSP);
  reply.header("ETag", file.etag);
  reply.header("Vary", "Accept-Encoding");
  reply.header("X-Content-Type-Options", "nosniff");
  if (req.headers["if-none-match"] === file.etag) return reply.code(304).send();
  const encoding = pickEncoding(file, req.headers["accept-encoding"]);
  if (encoding) reply.header("Content-Encoding", encoding);
  reply.type(file.type);
  return reply.send(encoding ? file[encoding] : file.identity);
}

/** Options of {@link studioRoutes}. */
export interface StudioOptions {
  /** The built app (default: the package's `dist/studio`). */
  dir?: string;
  /** `http.mount_prefix`: the page is served under it, and so are its assets. */
  mountPrefix?: string;
}

/** GET /studio, /studio/ and /studio/* (public). A missing build is a 503 that says how to build it. */
export async function studioRoutes(app: FastifyInstance, options: StudioOptions = {}): Promise<void> {
  const dir = options.dir ?? DEFAULT_STUDIO_DIR;
  let files: Map<string, StaticFile> | undefined;
  const load = () => (files ??= existsSync(join(dir, "index.html")) ? loadStudioFiles(dir, options.mountPrefix) : undefined);
  const route = { config: { public: true }, schema: { hide: true } };

  const serve = async (req: FastifyRequest, reply: FastifyReply, path: string) => {
    const all = load();
    if (!all) {
      return reply.code(503).type("text/plain; charset=utf-8").send(`The Studio is not built (no ${join(dir, "index.html")}): run \`npm run build\` in lg-dev.`);
    }
    const file = all.get(path === "" ? "index.html" : path);
    // The app keeps its state in the query string; any other path below /studio/ without a file extension is the app.
    if (file) return send(req, reply, file);
    if (!/\.[a-z0-9]+$/i.test(path)) return send(req, reply, all.get("index.html")!);
    return notFound(req, reply);
  };
  app.get("/studio", route, (req, reply) => serve(req, reply, ""));
  app.get<{ Params: { "*": string } }>("/studio/*", route, (req, reply) => serve(req, reply, req.params["*"]));
}
