/**
 * CSS of generative UI bundles. The official server runs every stylesheet through PostCSS with Tailwind CSS 4 and
 * autoprefixer. lg-dev does the same with the project's own copies when it has them (projects written for the
 * official server do: its CLI depends on them), and otherwise bundles CSS as it is - saying clearly what to
 * install when a stylesheet needs Tailwind.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type * as esbuild from "esbuild";

/** Turns one stylesheet's text into CSS. */
type CssPipeline = (css: string, from: string) => Promise<string>;

/** Tailwind at-rules and imports: CSS that means nothing without Tailwind. */
const TAILWIND_SYNTAX = /@import\s+["']tailwindcss|@tailwind\s|@apply\s|@theme\b|@plugin\s|@config\s/;

/** An esbuild plugin loading `.css` files through the project's Tailwind CSS, when it has one. */
export function cssPlugin(projectDir: string): esbuild.Plugin {
  let pipeline: Promise<CssPipeline | undefined> | undefined;
  return {
    name: "lg-dev-ui-css",
    setup(build) {
      build.onLoad({ filter: /\.css$/ }, async (args) => {
        if (args.namespace !== "file") return undefined;
        pipeline ??= loadTailwind(projectDir);
        const tailwind = await pipeline;
        const css = await readFile(args.path, "utf8");
        if (tailwind) return { contents: await tailwind(css, args.path), loader: "css" };
        if (TAILWIND_SYNTAX.test(css)) {
          return {
            errors: [
              {
                text: `${relative(projectDir, args.path).split(sep).join("/")} uses Tailwind CSS, which lg-dev runs with the project's own copy: install it (npm install -D @tailwindcss/postcss postcss)`,
              },
            ],
          };
        }
        return undefined; // esbuild's own CSS loader
      });
    },
  };
}

/** PostCSS with Tailwind (and autoprefixer, when present) as resolved from the project, or undefined. */
async function loadTailwind(projectDir: string): Promise<CssPipeline | undefined> {
  const require = createRequire(join(projectDir, "package.json"));
  const find = (name: string) => {
    try {
      return require.resolve(name);
    } catch {
      return undefined;
    }
  };
  const [tailwindPath, postcssPath, autoprefixerPath] = [find("@tailwindcss/postcss"), find("postcss"), find("autoprefixer")];
  if (!tailwindPath || !postcssPath) return undefined;
  const load = async (path: string) => {
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    return (mod.default ?? mod) as (options?: unknown) => unknown;
  };
  const postcss = (await load(postcssPath)) as unknown as (plugins: unknown[]) => { process(css: string, o: { from: string }): Promise<{ css: string }> };
  const tailwind = await load(tailwindPath);
  const autoprefixer = autoprefixerPath ? await load(autoprefixerPath) : undefined;
  // Tailwind scans the project for class names from `base` (by default the process's working directory).
  const plugins = [tailwind({ base: projectDir }), ...(autoprefixer ? [autoprefixer()] : [])];
  return async (css, from) => (await postcss(plugins).process(css, { from })).css;
}
