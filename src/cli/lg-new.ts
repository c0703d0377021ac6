import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { runLgNew } from "../scaffold/run.js";

/** The package's own package.json: two levels above this file, from dist/cli (installed) as from src/cli (tests). */
function readOwnVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

const EXAMPLES = `
Examples:
  lg-new my-app --template new-langgraph-project
  lg-new my-app -t custom-auth
  lg-new --list
  lg-new                      (in a terminal: asks for the directory and the template)
`;

/** Entry point of `bin/lg-new.js`: flags -> options -> runLgNew; sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  const version = readOwnVersion();
  const program = new Command("lg-new")
    .description("Create a LangGraph project from a template shipped with lg-dev (no network needed)")
    .version(version, "-v, --version", "print the lg-new (lg-dev) version")
    .argument("[dir]", "directory to create the project in; must not exist, or be empty")
    .option("-t, --template <id>", "template id or alias (see --list)")
    .option("-l, --list", "list the templates and exit")
    .option("--lg-dev <spec>", "the project's lg-dev devDependency (default: this lg-dev, packed into the project's vendor/)")
    .helpOption("-h, --help", "show this help")
    .addHelpText("after", EXAMPLES)
    .action(async (dir: string | undefined, flags: { template?: string; list?: boolean; lgDev?: string }) => {
      process.exitCode = await runLgNew(
        { dir, template: flags.template, list: flags.list, lgDevSpec: flags.lgDev, version, packageRoot: fileURLToPath(new URL("../..", import.meta.url)) },
        {
          stdin: process.stdin,
          stdout: process.stdout,
          stderr: process.stderr,
          interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
          cwd: process.cwd(),
        },
      );
    });
  await program.parseAsync(argv);
}
