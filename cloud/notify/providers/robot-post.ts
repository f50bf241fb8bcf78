import type { SendOutcome } from "./channel";
import { outcomeOfStatus, providerRequest } from "./http";

export interface RobotOptions {
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The group robots answer HTTP 200 with a code in the body (0 when posted). `retry` maps the codes
 * that pass with time (rate limits, "system busy") to the provider's wait, when it names one;
 * every other code is the robot's set-up (a removed robot, a bad signature, a keyword rule) and
 * will not pass by itself.
 */
export async function postToRobot(
  options: RobotOptions,
  url: string,
  body: string,
  signal: AbortSignal,
  robot: { what: string; codeField: string; messageField: string; retry: ReadonlyMap<number, number | undefined> },
): Promise<SendOutcome> {
  const answer = await providerRequest(options.fetch, url, { method: "POST", headers: { "content-type": "application/json; charset=utf-8" }, body, signal });
  if ("reason" in answer) return answer;
  const coded = codeOutcome(answer.json, robot);
  if (coded) return coded;
  if (answer.status >= 200 && answer.status < 300) return { status: "retry", reason: `${robot.what} answered without a code` };
  return outcomeOfStatus(answer.status, robot.what);
}

function codeOutcome(json: unknown, robot: { what: string; codeField: string; messageField: string; retry: ReadonlyMap<number, number | undefined> }): SendOutcome | null {
  if (!json || typeof json !== "object") return null;
  const fields = json as Record<string, unknown>;
  // Feishu's older answers carry StatusCode instead of code.
  const raw = fields[robot.codeField] ?? fields.StatusCode;
  if (typeof raw !== "number") return null;
  if (raw === 0) return { status: "accepted" };
  const message = typeof fields[robot.messageField] === "string" ? (fields[robot.messageField] as string) : "";
  const reason = `${robot.what} refused: ${raw}${message ? ` (${message})` : ""}`;
  return robot.retry.has(raw) ? { status: "retry", reason, afterMs: robot.retry.get(raw) } : { status: "permanent", reason };
}
