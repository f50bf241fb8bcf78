import type { CampaignSummary } from "../campaign-engine";

const IN_PROGRESS = ["offered", "deferred", "downloading", "verified", "applied"] as const;

/** "4m12s", "1h03m", "850ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/**
 * A campaign's progress as a bar and a few lines: █ healthy, ▒ under way, ✗ failed or rolled
 * back, · not yet done. Pure, so the CLI and its test render the same thing.
 */
export function renderCampaign(campaign: CampaignSummary, now: number, width = 40): string {
  const c = campaign.counts;
  const inProgress = IN_PROGRESS.reduce((sum, state) => sum + c[state], 0);
  const failed = c.failed + c["rolled-back"];
  const total = Math.max(1, campaign.nodes);
  const cells = (count: number) => Math.round((count / total) * width);
  const healthyCells = cells(c.healthy);
  const failedCells = Math.min(width - healthyCells, cells(failed));
  const busyCells = Math.min(width - healthyCells - failedCells, cells(inProgress));
  const bar = "█".repeat(healthyCells) + "✗".repeat(failedCells) + "▒".repeat(busyCells) + "·".repeat(width - healthyCells - failedCells - busyCells);
  const percent = Math.floor((c.healthy / total) * 100);
  const stage = campaign.stageIndex + 1;
  const lines = [
    `campaign ${campaign.id} · ${campaign.image.kind} ${campaign.image.version} on ${campaign.image.board} · ${campaign.status}${campaign.statusReason ? ` (${campaign.statusReason})` : ""}`,
    `stage ${stage}/${campaign.stages.length} (${campaign.stages[campaign.stageIndex]}%)  [${bar}] ${String(percent).padStart(3)}%  ${c.healthy}/${campaign.nodes} healthy`,
    `  under way ${inProgress} · failed ${c.failed} · rolled back ${c["rolled-back"]} · skipped ${c.skipped} · cancelled ${c.cancelled} · not yet offered ${c.pending}` +
      `   failure rate ${(campaign.failureRate * 100).toFixed(1)}% (pauses above ${(campaign.failureThreshold * 100).toFixed(1)}%)`,
  ];
  for (const entry of campaign.stageLog) {
    const took = formatDuration((entry.endedAt ?? now) - entry.startedAt);
    const state = entry.endedAt === null ? `under way for ${took}` : `done in ${took}`;
    lines.push(`  stage ${entry.stage + 1} (${entry.percent}%)`.padEnd(20) + `${String(entry.nodes).padStart(5)} nodes  ${state}  healthy ${entry.healthy} · failed ${entry.failed} · skipped ${entry.skipped}`);
  }
  return lines.join("\n");
}
