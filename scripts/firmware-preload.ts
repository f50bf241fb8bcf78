/**
 * `npm run firmware:preload`: writes firmware/preload.json, the list of the firmware's modules
 * that Moddable's linker runs at build time (`preload`), so their classes, functions and frozen
 * tables live in flash instead of being built in RAM at every boot.
 *
 * Preloading runs a module's body on the build machine. A module can be preloaded unless its body
 * (not its functions) calls something native, or reads what differs per boot (`Math.random`,
 * `Date.now`), or it imports a module that cannot be preloaded. Native code is reached through the
 * SDK's modules, so a body that calls into an imported SDK module disqualifies its module; and an
 * import of an SDK module the SDK does not itself preload on every platform (its own body may call
 * native code: `preference` on Linux reads its file) does too. Everything else goes in. The check
 * is on the TypeScript syntax tree, so it needs no SDK; `npm run bench:memory` then runs every
 * kind with the list on Moddable's runtime, where a wrong entry fails the build or the boot.
 *
 *   npm run firmware:preload [-- --check]   (--check: fail if preload.json is out of date)
 */
import { readFileSync, readdirSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { ROOT } from "./lin-host/sdk";

/**
 * SDK modules the SDK preloads itself on esp32 and on lin (their manifests' `preload`): importing
 * them runs nothing native at our build time. Any other SDK module keeps its importer out.
 */
const SDK_PRELOADED_EVERYWHERE = new Set(["timer", "time", "instrumentation", "crypt", "net", "mc/config", "embedded:network/mqtt/client"]);
const PER_BOOT = new Set(["Math.random", "Date.now"]);

interface Module {
  specifier: string;
  file: string;
  /** Where the manifest lists it: every platform, or one platform's manifest. */
  platforms: string[] | "all";
}

interface Manifest {
  modules?: Record<string, string | string[]>;
}

function modulesOf(manifestPath: string, platforms: string[] | "all"): Module[] {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const dir = dirname(manifestPath);
  const found: Module[] = [];
  for (const [key, value] of Object.entries(manifest.modules ?? {})) {
    for (const path of Array.isArray(value) ? value : [value]) {
      if (path.startsWith("$(")) continue;
      const base = resolve(dir, path);
      if (key.endsWith("/*") && path.endsWith("/*")) {
        const folder = base.slice(0, -2);
        for (const name of readdirSync(folder).sort()) {
          const match = /^(.*)\.(ts|js)$/.exec(name);
          if (!match || name.endsWith(".d.ts")) continue;
          found.push({ specifier: key.slice(0, -1) + match[1], file: join(folder, name), platforms });
        }
      } else if (key !== "*") {
        const file = [".ts", ".js"].map((ext) => base + ext).find((candidate) => existsSync(candidate));
        if (file) found.push({ specifier: key, file, platforms });
      }
    }
  }
  return found;
}

/** Where the firmware's modules are listed: the root manifest for every platform, and each platform's own. */
function allModules(): Module[] {
  return [
    ...modulesOf(join(ROOT, "manifest.json"), "all"),
    ...modulesOf(join(ROOT, "firmware/platform/esp32/manifest.json"), ["esp32", "esp32/esp32s3"]),
    ...modulesOf(join(ROOT, "firmware/platform/lin/manifest.json"), ["lin"]),
  ];
}

interface Analysis {
  /** Relative imports, as files. */
  imports: string[];
  /** Why the body itself cannot run at build time, if it cannot. */
  problem: string | null;
}

/** Whether `node` runs when the module body runs (not inside a function, method or instance field). */
function runsAtLoad(node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node.parent; at && !ts.isSourceFile(at); at = at.parent) {
    if (ts.isFunctionLike(at)) return false;
    if (ts.isPropertyDeclaration(at) && !at.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) return false;
  }
  return true;
}

function analyse(module: Module): Analysis {
  const text = readFileSync(module.file, "utf8");
  const source = ts.createSourceFile(module.file, text, ts.ScriptTarget.Latest, true, module.file.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const imports: string[] = [];
  const sdkBindings = new Map<string, string>();
  let problem: string | null = null;
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
    if (!from) continue;
    const typeOnly = ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly === true : statement.isTypeOnly;
    if (typeOnly) continue;
    if (from.startsWith(".")) {
      const base = resolve(dirname(module.file), from);
      const file = [".ts", ".js", ".d.ts"].map((ext) => base + ext).find((candidate) => existsSync(candidate));
      if (file && !file.endsWith(".d.ts")) imports.push(file);
      else if (file?.endsWith(".d.ts") && existsSync(base + ".js")) imports.push(base + ".js");
      continue;
    }
    if (!SDK_PRELOADED_EVERYWHERE.has(from)) problem ??= `imports "${from}", which the SDK does not preload on every platform`;
    const clause = ts.isImportDeclaration(statement) ? statement.importClause : undefined;
    if (clause?.name) sdkBindings.set(clause.name.text, from);
    if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) {
      for (const element of clause.namedBindings.elements) if (!element.isTypeOnly) sdkBindings.set(element.name.text, from);
    }
    if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) sdkBindings.set(clause.namedBindings.name.text, from);
  }
  const rootName = (expression: ts.Expression): string | undefined => {
    let at: ts.Expression = expression;
    while (ts.isPropertyAccessExpression(at) || ts.isElementAccessExpression(at)) at = at.expression;
    return ts.isIdentifier(at) ? at.text : undefined;
  };
  const visit = (node: ts.Node) => {
    if (problem) return;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && runsAtLoad(node)) {
      const callee = node.expression;
      const root = rootName(callee);
      if (root && sdkBindings.has(root)) problem = `its body calls ${callee.getText(source)} (from "${sdkBindings.get(root)}") when it loads`;
      else if (PER_BOOT.has(callee.getText(source))) problem = `its body calls ${callee.getText(source)}, which must differ at every boot`;
    }
    if (ts.isDecorator(node)) return;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(source, visit);
  return { imports, problem };
}

export interface PreloadPlan {
  preload: string[];
  platforms: Record<string, string[]>;
  notPreloaded: Record<string, string>;
}

export function planPreload(): PreloadPlan {
  const modules = allModules();
  const byFile = new Map<string, Module>();
  for (const module of modules) if (!byFile.has(module.file)) byFile.set(module.file, module);
  const analyses = new Map([...byFile.values()].map((module) => [module.file, analyse(module)]));
  // A module that imports one that cannot be preloaded cannot be either: its import runs at build time.
  const reasons = new Map<string, string>();
  for (const [file, analysis] of analyses) if (analysis.problem) reasons.set(file, analysis.problem);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [file, analysis] of analyses) {
      if (reasons.has(file)) continue;
      const blocked = analysis.imports.find((dependency) => reasons.has(dependency));
      if (blocked) {
        reasons.set(file, `imports ${byFile.get(blocked)?.specifier ?? relative(ROOT, blocked)}, which cannot be preloaded`);
        changed = true;
      }
    }
  }
  // Module by module: mcconfig 8.2.3 expands a preload wildcard over JavaScript modules only, not TypeScript.
  const plan: PreloadPlan = { preload: [], platforms: {}, notPreloaded: {} };
  const add = (platforms: string[] | "all", entry: string) => {
    const lists = platforms === "all" ? [plan.preload] : platforms.map((platform) => (plan.platforms[platform] ??= []));
    for (const list of lists) if (!list.includes(entry)) list.push(entry);
  };
  for (const module of modules) {
    const reason = reasons.get(module.file);
    if (reason) plan.notPreloaded[module.specifier] = reason;
    else add(module.platforms, module.specifier);
  }
  plan.preload.sort();
  for (const list of Object.values(plan.platforms)) list.sort();
  return plan;
}

/** firmware/preload.json: a manifest fragment the root manifest includes, with why each module left out is left out. */
export function preloadManifest(plan: PreloadPlan): string {
  const manifest = {
    "//": "Generated by `npm run firmware:preload` (scripts/firmware-preload.ts) from the manifests and the modules' sources; do not edit.",
    preload: plan.preload,
    platforms: Object.fromEntries(Object.entries(plan.platforms).map(([platform, list]) => [platform, { preload: list }])),
    notPreloaded: Object.fromEntries(Object.entries(plan.notPreloaded).sort(([a], [b]) => a.localeCompare(b))),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const plan = planPreload();
  const text = preloadManifest(plan);
  const path = join(ROOT, "firmware/preload.json");
  const total = plan.preload.length + Object.values(plan.platforms).reduce((sum, list) => sum + list.length, 0);
  if (process.argv.includes("--check")) {
    const current = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (current !== text) {
      console.error("firmware/preload.json is out of date: run `npm run firmware:preload`");
      process.exit(1);
    }
    console.log("firmware/preload.json is up to date");
  } else {
    writeFileSync(path, text);
    console.log(`wrote firmware/preload.json: ${plan.preload.length} modules for every platform, ${total - plan.preload.length} for one platform, ${Object.keys(plan.notPreloaded).length} left out:`);
  }
  for (const [specifier, reason] of Object.entries(plan.notPreloaded)) console.log(`  ${specifier}: ${reason}`);
}
