/**
 * A V8 CPU profile (.cpuprofile) summed by function, over a window of it: where one thread's time
 * went, self and inclusive, heaviest first. For the profiles bench/cloud-process.ts writes
 * (BENCH_CPU_PROFILE) — DevTools shows the same, but not for a window on a machine without one.
 *
 *   tsx bench/profile-summary.ts <file.cpuprofile> [--from <s>] [--to <s>] [--top 40]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const profile = JSON.parse(readFileSync(process.argv[2], "utf8")) as Profile;
const fromUs = arg("from", 0) * 1e6;
const toUs = arg("to", Infinity) * 1e6;
const top = arg("top", 40);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: ProfileNode) => {
  const file = n.callFrame.url.replace(/^.*\/(node_modules\/)?/, "");
  return `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let at = 0;
let total = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i];
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (at < fromUs || at > toUs) continue;
  const leaf = byId.get(profile.samples[i])!;
  total += dt;
  if (leaf.callFrame.functionName === "(idle)") {
    idle += dt;
    continue;
  }
  self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const key = name(byId.get(id)!);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
  }
}
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms(us)} ms  ${key}\n`);
};
process.stdout.write(`window ${fromUs / 1e6}–${toUs / 1e6} s: ${ms(total)} ms sampled, ${ms(idle)} ms idle, ${ms(total - idle)} ms busy\n`);
print("self time", self);
print("inclusive time", inclusive);
