#!/usr/bin/env node
// Thin on purpose: the CLI is compiled from src/cli/lg-new.ts into dist/ by `npm run build`.
const { main } = await import("../dist/cli/lg-new.js");
await main(process.argv);
