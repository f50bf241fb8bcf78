import { serveScenario } from "./scenario";

/** Firmware that forgets it is not in Node: each request touches one host API. */
serveScenario((request: { use: string }) => {
  const g = globalThis as any;
  switch (request.use) {
    case "process":
      return g.process.env.HOME;
    case "setTimeout":
      return g.setTimeout(() => 0, 1);
    case "document":
      return g.document.title;
    case "Buffer":
      return g.Buffer.from("x").length;
    default:
      return "nothing touched";
  }
});
