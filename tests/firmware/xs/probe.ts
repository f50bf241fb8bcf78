import { serveScenario } from "./scenario";

/** Reports what kind of engine it runs in, and spends a known amount of work. */
serveScenario((request: { loops: number }) => {
  let sum = 0;
  for (let i = 0; i < request.loops; i++) sum += i;
  const g = globalThis as Record<string, unknown>;
  return {
    sum,
    print: typeof g.print,
    issueCommand: typeof g.issueCommand,
    process: typeof g.process,
    require: typeof g.require,
    window: typeof g.window,
    setTimeout: typeof g.setTimeout,
  };
});
