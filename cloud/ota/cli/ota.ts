import { parseArgs } from "node:util";
import type { CampaignSummary } from "../campaign-engine";
import { apiClient, ApiError } from "./api-client";
import { parseDuration, parseFraction, UsageError } from "./parse";
import { renderCampaign } from "./progress";

const HELP = `npm run ota -- <command> [options]      (cloud: --url or SHOUWANG_URL; token: --token or SHOUWANG_TOKEN)

  images                                   signed images the cloud holds
  campaign create --image <sha256> [--place <id>] [--from-version <x.y.z>] [--stages 1,10,50,100]
                  [--window 30m] [--threshold 10%] [--id <id>]
  campaign list
  campaign status <id> [--watch]           progress bar; --watch redraws until the campaign stops
  campaign nodes <id> [--state <state>]    per-node state, progress and reason
  campaign pause|resume|abort <id>
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      token: { type: "string" },
      image: { type: "string" },
      place: { type: "string" },
      "from-version": { type: "string" },
      stages: { type: "string" },
      window: { type: "string" },
      threshold: { type: "string" },
      id: { type: "string" },
      state: { type: "string" },
      watch: { type: "boolean" },
    },
    allowPositionals: true,
  });
  const [group, action, id] = positionals;
  if (group === "images") {
    const api = apiClient(values);
    const { images } = await api.get<{ images: Array<{ sha256: string; kind: string; version: string; board: string; sizeBytes: number; uploadedAt: number }> }>("/api/ota/images");
    for (const image of images) print(`${image.sha256}  ${image.kind.padEnd(8)} ${image.version.padEnd(12)} ${image.board.padEnd(20)} ${image.sizeBytes} bytes`);
    if (images.length === 0) print("no images yet: npm run release -- upload …");
    return 0;
  }
  if (group !== "campaign" || !action) {
    process.stdout.write(HELP);
    return group === undefined || group === "help" ? 0 : 64;
  }
  const api = apiClient(values);
  switch (action) {
    case "create": {
      if (!values.image) throw new UsageError("--image <sha256> is required");
      const body: Record<string, unknown> = { image: values.image };
      if (values.place) body.placeId = values.place;
      if (values["from-version"]) body.fromVersion = values["from-version"];
      if (values.id) body.id = values.id;
      if (values.stages) body.stages = values.stages.split(",").map(Number);
      if (values.window) body.nodeWindowMs = parseDuration(values.window);
      if (values.threshold) body.failureThreshold = parseFraction(values.threshold);
      const { campaign } = await api.post<{ campaign: CampaignSummary }>("/api/ota/campaigns", body);
      print(renderCampaign(campaign, Date.now()));
      return 0;
    }
    case "list": {
      const { campaigns } = await api.get<{ campaigns: CampaignSummary[] }>("/api/ota/campaigns");
      for (const c of campaigns) {
        print(`${c.id.padEnd(28)} ${c.status.padEnd(10)} ${c.image.kind} ${c.image.version.padEnd(10)} stage ${c.stageIndex + 1}/${c.stages.length}  ${c.counts.healthy}/${c.nodes} healthy`);
      }
      if (campaigns.length === 0) print("no campaigns yet");
      return 0;
    }
    case "status": {
      if (!id) throw new UsageError("which campaign? npm run ota -- campaign status <id>");
      for (;;) {
        const { campaign } = await api.get<{ campaign: CampaignSummary }>(`/api/ota/campaigns/${encodeURIComponent(id)}`);
        const text = renderCampaign(campaign, Date.now());
        if (values.watch && process.stdout.isTTY) process.stdout.write("\x1b[2J\x1b[H");
        print(text);
        if (!values.watch || campaign.status !== "running") return 0;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
    case "nodes": {
      if (!id) throw new UsageError("which campaign? npm run ota -- campaign nodes <id>");
      const query = values.state ? `?state=${encodeURIComponent(values.state)}` : "";
      const { nodes } = await api.get<{ nodes: Array<{ nodeId: string; stage: number; state: string; progress: number; reason: string | null; offers: number }> }>(
        `/api/ota/campaigns/${encodeURIComponent(id)}/nodes${query}`,
      );
      for (const n of nodes) {
        const progress = n.state === "downloading" ? ` ${n.progress}%` : "";
        print(`${n.nodeId.padEnd(24)} stage ${n.stage}  ${(n.state + progress).padEnd(16)} ${n.reason ?? ""}`);
      }
      return 0;
    }
    case "pause":
    case "resume":
    case "abort": {
      if (!id) throw new UsageError(`which campaign? npm run ota -- campaign ${action} <id>`);
      const { campaign } = await api.post<{ campaign: CampaignSummary }>(`/api/ota/campaigns/${encodeURIComponent(id)}/${action}`);
      print(renderCampaign(campaign, Date.now()));
      return 0;
    }
    default:
      throw new UsageError(`unknown campaign command "${action}"\n${HELP}`);
  }
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error instanceof UsageError || error instanceof ApiError ? "error" : "unexpected error"}: ${error.message}\n`);
    process.exit(error instanceof UsageError ? 64 : 1);
  },
);
