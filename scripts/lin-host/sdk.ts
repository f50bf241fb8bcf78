/**
 * Building the node for Moddable's Linux runtime (`mcconfig -p lin`) and its headless loader,
 * for `npm run firmware:host-run` and `npm run bench:memory`. The SDK is not on npm and is no
 * dependency of the tests: it is found through `MODDABLE`, and when it is missing this says how
 * to get it.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LOADER_SOURCE = join(ROOT, "scripts/lin-host/headless.c");
const I386_PKG_CONFIG = "/usr/lib/i386-linux-gnu/pkgconfig:/usr/share/pkgconfig";

export const HOW_TO_GET_THE_SDK = `The Moddable SDK 8.2.3 is needed, built for Linux, with MODDABLE pointing at it:

  git clone --branch 8.2.3 --depth 1 https://github.com/Moddable-OpenSource/moddable.git ~/moddable
  export MODDABLE=~/moddable
  sudo apt-get install gcc make pkg-config libglib2.0-dev
  cd $MODDABLE/build/makefiles/lin
  make GOAL=release -f $MODDABLE/xs/makefiles/lin/xsc.mk  XS_DIR=$MODDABLE/xs BUILD_DIR=$MODDABLE/build
  make GOAL=release -f $MODDABLE/xs/makefiles/lin/xsid.mk XS_DIR=$MODDABLE/xs BUILD_DIR=$MODDABLE/build
  make GOAL=release -f $MODDABLE/xs/makefiles/lin/xsl.mk  XS_DIR=$MODDABLE/xs BUILD_DIR=$MODDABLE/build
  make GOAL=release -f tools.mk XS_DIR=$MODDABLE/xs BUILD_DIR=$MODDABLE/build

(plain \`make\` there also builds xsbug and the simulator, which need libgtk-3-dev; the node needs
neither). Building takes a few minutes. TypeScript 6 from this project's node_modules is used.
For memory figures with the ESP32's 32-bit layout also install gcc-multilib and
libglib2.0-dev:i386 (and qemu-user where the kernel cannot run 32-bit programs).`;

export class SdkMissing extends Error {}

export interface Sdk {
  root: string;
  commit: string;
  version: string;
  bin: string;
}

/** {@link findSdk} for a command line: when the SDK is missing, says what `purpose` needs and how to get it, and exits 2. */
export function findSdkOrExit(purpose: string): Sdk {
  try {
    return findSdk();
  } catch (error) {
    if (!(error instanceof SdkMissing)) throw error;
    console.error(`${purpose}\n\n${error.message}`);
    process.exit(2);
  }
}

/** The SDK named by `MODDABLE`, with its Linux tools built; throws {@link SdkMissing} saying how to get it. */
export function findSdk(): Sdk {
  const root = process.env.MODDABLE;
  if (!root) throw new SdkMissing(`MODDABLE is not set.\n\n${HOW_TO_GET_THE_SDK}`);
  const bin = join(root, "build/bin/lin/release");
  for (const tool of ["mcconfig", "xsc", "xsl"]) {
    if (!existsSync(join(bin, tool))) throw new SdkMissing(`${join(bin, tool)} is missing: the SDK's Linux tools are not built.\n\n${HOW_TO_GET_THE_SDK}`);
  }
  const git = spawnSync("git", ["-C", root, "rev-parse", "HEAD"], { encoding: "utf8" });
  const commit = git.status === 0 ? git.stdout.trim() : "unknown (not a git checkout)";
  const version = existsSync(join(root, "tools/VERSION")) ? readFileSync(join(root, "tools/VERSION"), "utf8").trim() : "unknown";
  return { root, commit, version, bin };
}

/**
 * How the node is built and run. `x86-32` gives the ESP32's slot and pointer sizes (a txSlot is
 * 16 bytes on both), so memory figures are the device's; `native` is the computer's own (on
 * x86-64, slots of 32 bytes), quicker to run and all a maker needs.
 */
export interface Target {
  arch: "x86-32" | "native";
  /** The loader's command prefix: qemu-i386 where the kernel cannot run 32-bit programs itself. */
  runner: string[];
}

function works(command: string, args: string[], env?: NodeJS.ProcessEnv): boolean {
  const result = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, ...env } });
  return !result.error && result.status === 0;
}

/** The 32-bit target when this computer can build and run it, else the native one. */
export function chooseTarget(prefer: "x86-32" | "native", scratch: string): Target {
  if (prefer === "native") return { arch: "native", runner: [] };
  mkdirSync(scratch, { recursive: true });
  const probe = join(scratch, "probe32");
  const hasGlib = works("pkg-config", ["--exists", "gio-2.0"], { PKG_CONFIG_LIBDIR: I386_PKG_CONFIG });
  const compiled = hasGlib && works("sh", ["-c", `printf 'int main(void){return 0;}' | gcc -m32 -x c - -o ${probe}`]);
  if (!compiled) return { arch: "native", runner: [] };
  if (works(probe, [])) return { arch: "x86-32", runner: [] };
  if (works("qemu-i386", ["-L", "/", probe])) return { arch: "x86-32", runner: ["qemu-i386", "-L", "/"] };
  return { arch: "native", runner: [] };
}

function buildEnv(sdk: Sdk, target: Target): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MODDABLE: sdk.root,
    PATH: `${sdk.bin}:${join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
  };
  if (target.arch === "x86-32") {
    env.CC = "gcc -m32";
    env.PKG_CONFIG_LIBDIR = I386_PKG_CONFIG;
  }
  return env;
}

function run(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; what: string }): string {
  const result = spawnSync(command, args, { cwd: options.cwd ?? ROOT, env: options.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n").filter((line) => !/^# (tsc|xsc|xsid|cc) /.test(line));
    throw new Error(`${options.what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output.slice(-40).join("\n")}`);
  }
  return `${result.stdout}${result.stderr}`;
}

/** XS's creation sizes as a manifest's `creation` gives them (chunks in bytes, heap and stack in slots). */
export interface Creation {
  chunk: { initial: number; incremental: number };
  heap: { initial: number; incremental: number };
  stack: number;
  keys: { initial: number; incremental: number };
}

export interface NodeBuild {
  target: Target;
  /** The build with the manifest's preload list, on the SDK's default heap (it grows as needed). */
  preloaded: string;
  /** The same, relinked into each named creation (fixed sizes, as a kind's device build sets them). */
  inCreation: Record<string, string>;
  /** The same modules with nothing of the firmware's preloaded (the SDK's own modules still are); only when asked for. */
  notPreloaded?: string;
  loader: string;
}

/**
 * Builds the node for the lin runtime (instrumented release: `mcconfig -i`, so the XS meter
 * reads the stack's peak) into `outDir/node-<arch>/`. Like a device build it holds every kind's
 * program (main.ts and host-main.ts import all three); a host run picks one through its `host`
 * preferences (`kind`). The build is relinked once per named creation (a kind's, from
 * firmware/kinds/<kind>/manifest.json) and, with `withoutPreload`, once with the SDK's own
 * preloads only, for the bench's comparison; the manifest is not touched.
 */
export function buildNode(sdk: Sdk, target: Target, options: { outDir: string; withoutPreload?: boolean; creations?: Record<string, Creation>; log?: (line: string) => void }): NodeBuild {
  const env = buildEnv(sdk, target);
  const dir = join(options.outDir, `node-${target.arch}`);
  mkdirSync(dir, { recursive: true });
  options.log?.(`building the node for ${target.arch} in ${dir} (mcconfig -i -m -p lin manifest.json) …`);
  run("mcconfig", ["-i", "-m", "-p", "lin", "-o", dir, "manifest.json"], { env, what: "mcconfig -p lin" });
  // mcconfig names the build after the manifest's folder: this checkout's.
  const name = basename(ROOT.replace(/\/+$/, ""));
  const tmp = join(dir, "tmp/lin/mc/instrument", name);
  const so = join(dir, "bin/lin/mc/instrument", name, "mc.so");
  const makefile = readFileSync(join(tmp, "makefile"), "utf8");
  const relink = (variables: string[], what: string) => {
    rmSync(join(tmp, "mc.xs.c"), { force: true });
    run("make", ["-f", join(tmp, "makefile"), ...variables], { cwd: tmp, env, what });
  };
  const preloaded = join(dir, "mc-preloaded.so");
  copyFileSync(so, preloaded);
  const inCreation: Record<string, string> = {};
  for (const [name, creation] of Object.entries(options.creations ?? {})) {
    relink([`CREATION=${creationArgument(makefile, creation)}`], `relinking with ${name}'s creation sizes`);
    inCreation[name] = join(dir, `mc-preloaded-${name}.so`);
    copyFileSync(so, inCreation[name]);
  }
  let notPreloaded: string | undefined;
  if (options.withoutPreload) {
    relink([`PRELOADS=${sdkPreloads(makefile).join(" ")}`], "relinking without the firmware's preloads");
    notPreloaded = join(dir, "mc-not-preloaded.so");
    copyFileSync(so, notPreloaded);
  }
  // Leave the build as mcconfig made it, so the next incremental build starts from it.
  if (Object.keys(inCreation).length || options.withoutPreload) relink([], "relinking as mcconfig made it");
  const loader = join(options.outDir, `headless-${target.arch}`);
  if (!existsSync(loader) || statSync(loader).mtimeMs < statSync(LOADER_SOURCE).mtimeMs) {
    const flags = run("pkg-config", ["--cflags", "--libs", "glib-2.0"], { env, what: "pkg-config glib-2.0" }).trim().split(/\s+/);
    run("sh", ["-c", `${env.CC ?? "gcc"} -O1 -o ${loader} ${LOADER_SOURCE} -I${join(sdk.root, "build/simulators/modules")} ${flags.join(" ")} -ldl`], { env, what: "compiling the headless loader" });
  }
  return { target, preloaded, inCreation, notPreloaded, loader };
}

/** xsl's `-c` argument: the makefile's, with the chunk, heap, stack and key sizes replaced. */
function creationArgument(makefile: string, creation: Creation): string {
  const current = /^CREATION = -c (\S+)$/m.exec(makefile);
  if (!current) throw new Error("the generated makefile has no CREATION line");
  const fields = current[1].split(",");
  const sizes = [creation.chunk.initial, creation.chunk.incremental, creation.heap.initial, creation.heap.incremental, creation.stack, creation.keys.initial, creation.keys.incremental];
  sizes.forEach((value, index) => (fields[index] = String(value)));
  return `-c ${fields.join(",")}`;
}

/** The makefile's `-p` preloads that are the SDK's, not the firmware's (`firmware/…`, `shared/…`). */
function sdkPreloads(makefile: string): string[] {
  const block = makefile.slice(makefile.indexOf("PRELOADS =")).split("\n\n")[0];
  const names = [...block.matchAll(/-p ([^\s\\]+)/g)].map((match) => match[1]);
  return names.filter((name) => !/^(firmware|shared)\//.test(name)).flatMap((name) => ["-p", name]);
}
