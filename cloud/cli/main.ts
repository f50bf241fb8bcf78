import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { EnvError, parseEnv } from "../env";
import { FleetError } from "../fleet/fleet-error";
import { adminTokenCommand, signInLinkCommand } from "./commands/access";
import { batchCommand } from "./commands/batch";
import { accountCommand, devicesCommand, installCommand } from "./commands/devices";
import { firmwareCommand } from "./commands/firmware";
import { placardsCommand } from "./commands/placards";
import { placeCommand } from "./commands/places";
import { CliContext, type CliIo } from "./context";
import { HELP } from "./help";

/** Runs one CLI command; returns the process exit code. Errors are printed as sentences, never stacks. */
export async function runCli(argv: string[], io: CliIo, environment: Record<string, string | undefined> = process.env): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    io.out(HELP.trimEnd());
    return command ? 0 : 64;
  }
  let context: CliContext | undefined;
  try {
    context = new CliContext(parseEnv(environment), io);
    switch (command) {
      case "batch":
        await batchCommand(context, args);
        break;
      case "devices":
        await devicesCommand(context, args);
        break;
      case "revoke":
      case "release":
        await accountCommand(context, command, args);
        break;
      case "install":
        await installCommand(context, args);
        break;
      case "place":
        await placeCommand(context, args);
        break;
      case "placards":
        await placardsCommand(context, args);
        break;
      case "admin-token":
        await adminTokenCommand(context, args);
        break;
      case "sign-in-link":
        await signInLinkCommand(context, args);
        break;
      case "firmware":
        await firmwareCommand(context, args);
        break;
      default:
        io.err(`Unknown command "${command}". Run \`npx shouwang help\`.`);
        return 64;
    }
    return 0;
  } catch (error) {
    if (error instanceof FleetError || error instanceof EnvError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err((error as Error).message);
      return 1;
    }
    io.err(`Failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await context?.close();
  }
}

/** The real terminal. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    progress: process.stderr,
    readFile: (path) => readFileSync(path, "utf8"),
    writeFile: (path, text) => writeFileSync(path, text),
    now: Date.now,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runCli(process.argv.slice(2), processIo()).then((code) => process.exit(code));
}
