#!/usr/bin/env node
import { main } from "../dist/cli/lg-dev.js";

await main(process.argv);
