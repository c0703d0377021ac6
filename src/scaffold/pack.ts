/**
 * lg-dev is not on the npm registry: a project made by `lg-new` gets lg-dev as a tarball of the lg-dev that made it
 * (`npm pack`), kept in the project (`vendor/lg-dev-<version>.tgz`) and named by a relative `file:` dependency.
 * A copy inside the project survives the clone being moved, updated or deleted, and the project can be committed
 * and installed anywhere. (A `file:` link to the clone itself would make lg-dev resolve LangGraph from the clone's
 * node_modules, a second copy beside the project's.)
 */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ScaffoldError } from "./scaffold.js";

/** The folder of a new project that holds the lg-dev tarball. */
export const VENDOR_DIR = "vendor";

/**
 * `npm pack` the lg-dev package at `packageRoot` into `<projectDir>/vendor/`; returns the dependency spec
 * (`file:vendor/lg-dev-<version>.tgz`) and the file (relative to the project). Scripts are not run: the package's
 * dist/ is what is running now.
 */
export async function vendorLgDev(packageRoot: string, projectDir: string): Promise<{ spec: string; file: string }> {
  const destination = join(projectDir, VENDOR_DIR);
  await mkdir(destination, { recursive: true });
  // Under npx/npm scripts npm says where it is; otherwise `npm` from PATH.
  const npmCli = process.env.npm_execpath;
  const [command, prefix] = npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ["npm", []];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      command,
      [...prefix, "pack", "--ignore-scripts", "--json", "--pack-destination", destination],
      { cwd: packageRoot, timeout: 120_000, shell: process.platform === "win32" && command === "npm" },
      (err, out, errOut) => {
        if (err) reject(new ScaffoldError(`could not pack lg-dev (npm pack in ${packageRoot}): ${(errOut || err.message).trim()}. Pass --lg-dev <spec> to say which lg-dev the project installs.`));
        else resolve(out);
      },
    );
  });
  const filename = (JSON.parse(stdout) as Array<{ filename: string }>)[0]?.filename;
  if (!filename) throw new ScaffoldError(`npm pack in ${packageRoot} did not say which file it wrote`);
  const file = `${VENDOR_DIR}/${filename.split("/").pop()}`;
  return { spec: `file:${file}`, file };
}
