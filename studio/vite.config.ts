/**
 * The Studio's build: one page served by lg-dev at /studio. Every emitted file also gets a brotli and a gzip copy
 * (written once here, so the server only picks one per request), and nothing is loaded from elsewhere at run time.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";

const OUT_DIR = join(import.meta.dirname, "..", "dist", "studio");

/** Precompress what the build wrote (files under 1 KB are not worth it). */
function precompress(): Plugin {
  return {
    name: "lg-dev-precompress",
    apply: "build",
    writeBundle(options, bundle) {
      for (const name of Object.keys(bundle)) {
        const file = join(options.dir ?? OUT_DIR, name);
        const body = readFileSync(file);
        if (body.length < 1024 || !/\.(js|css|html|svg|json|txt)$/.test(name)) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: "/studio/",
  plugins: [precompress()],
  build: {
    outDir: OUT_DIR,
    // Not emptied first: scripts/build.mjs removes what a build did not write, once it is done.
    emptyOutDir: false,
    target: "es2022",
    // The whole app is one chunk of ~250 KB gzipped, within the 400 KB budget measured by bench/studio.mjs.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      onwarn(warning, warn) {
        // The SDK's React entry says "use client" (for server components): meaningless in a plain browser bundle.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
});
