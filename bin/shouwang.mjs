#!/usr/bin/env node
// `npx shouwang …`: the fleet CLI (cloud/cli/main.ts), run through tsx like the rest of the cloud.
import { register } from "tsx/esm/api";

register();
const { runCli, processIo } = await import("../cloud/cli/main.ts");
process.exit(await runCli(process.argv.slice(2), processIo()));
