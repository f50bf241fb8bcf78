import * as openApiUtil from "@alicloud/openapi-util";
import { randomUUID } from "node:crypto";
import type { SendOutcome } from "./channel";
import { outcomeOfStatus, providerRequest } from "./http";

// The package is CommonJS with `exports.default = Client`; Node's ESM loader and vitest's
// interop disagree on whether `default` is the class or the exports object, so take whichever has it.
type OpenApiUtil = typeof openApiUtil.default;
const util: OpenApiUtil = (
  typeof (openApiUtil.default as { getRPCSignature?: unknown }).getRPCSignature === "function"
    ? openApiUtil.default
    : (openApiUtil.default as unknown as { default: OpenApiUtil }).default
);

export interface AliyunCredentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/** What an Aliyun adapter is given besides its product's own settings. */
export interface AliyunRpcOptions {
  credentials: AliyunCredentials;
  fetch?: typeof fetch;
  now?: () => number;
}

/** An API's action and version with the action's own parameters, as Aliyun names them. */
type RpcAction = { Action: string; Version: string } & Record<string, string>;

/**
 * Aliyun's RPC signature (SignatureVersion 1.0): HMAC-SHA1 with key `secret + "&"` over
 * `METHOD&%2F&` + the percent-encoded, sorted, canonical query, in Base64.
 * https://www.alibabacloud.com/help/doc-detail/28139.htm (signature method, with the testid /
 * testsecret DescribeRegions example our test reproduces). Done by Aliyun's own
 * @alicloud/openapi-util, so our encoding cannot drift from theirs (RFC 3986 with `*`, `'`, `(`,
 * `)`, `!` escaped too).
 */
export function signRpc(params: Record<string, string>, method: "GET" | "POST", accessKeySecret: string): string {
  return util.getRPCSignature(params, method, accessKeySecret);
}

/**
 * One RPC call: the common parameters (Format JSON, HMAC-SHA1, a fresh nonce, the UTC time), the
 * action's own, signed, sent as a form body by POST. Returns the parsed JSON answer, or a `retry`
 * outcome for a network fault.
 */
export async function callRpc(
  options: AliyunRpcOptions & { endpoint: string },
  action: RpcAction,
  signal: AbortSignal,
): Promise<{ status: number; body: Record<string, unknown> } | Extract<SendOutcome, { status: "retry" }>> {
  const params: Record<string, string> = {
    AccessKeyId: options.credentials.accessKeyId,
    Format: "JSON",
    SignatureMethod: "HMAC-SHA1",
    SignatureNonce: randomUUID(),
    SignatureVersion: "1.0",
    Timestamp: new Date(options.now?.() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    ...action,
  };
  params.Signature = signRpc(params, "POST", options.credentials.accessKeySecret);
  const answer = await providerRequest(options.fetch, options.endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
    signal,
  });
  if ("reason" in answer) return answer;
  return { status: answer.status, body: (answer.json as Record<string, unknown> | null) ?? {} };
}

/**
 * A call that delivers something (SendSms, SingleCallByTts), its answer read as a delivery
 * outcome; `what` names the product in a reason, `referenceField` the id an accepted answer carries.
 */
export async function sendRpc(
  options: AliyunRpcOptions & { endpoint: string },
  action: RpcAction,
  signal: AbortSignal,
  what: string,
  referenceField: string,
): Promise<SendOutcome> {
  const answer = await callRpc(options, action, signal);
  if ("reason" in answer) return answer;
  return outcomeOfRpc(answer, what, referenceField);
}

/**
 * Aliyun's answer codes for SMS and voice notifications, by what retrying can change.
 * https://help.aliyun.com/document_detail/55284.html (SendSms) and the SMS and common error codes.
 * Throttling (a number's per-minute or per-hour limit, the account's rate) passes; a number,
 * template, signature or account problem does not. An unknown `isp.` (platform) code is theirs
 * and may pass; an unknown `isv.` (caller) code is ours and will not.
 */
const RETRY_CODES = new Set([
  "isv.BUSINESS_LIMIT_CONTROL",
  "Throttling",
  "Throttling.User",
  "Throttling.Api",
  "ServiceUnavailable",
  "InternalError",
  "SignatureNonceUsed",
  "isp.SYSTEM_ERROR",
  "isp.GATEWAY_ERROR",
  "isv.SYSTEM_ERROR",
]);

function outcomeOfRpc(answer: { status: number; body: Record<string, unknown> }, what: string, referenceField: string): SendOutcome {
  const code = typeof answer.body.Code === "string" ? answer.body.Code : null;
  const message = typeof answer.body.Message === "string" ? answer.body.Message : "";
  if (code === "OK") {
    const reference = answer.body[referenceField];
    return { status: "accepted", reference: typeof reference === "string" ? reference : undefined };
  }
  if (code === null) return outcomeOfStatus(answer.status, what);
  const reason = `${what} refused: ${code}${message ? ` (${message})` : ""}`;
  // A number's daily quota is spent for today: waiting minutes will not help.
  if (code === "isv.BUSINESS_LIMIT_CONTROL" && /天级|day/i.test(message)) return { status: "permanent", reason };
  if (RETRY_CODES.has(code) || code.startsWith("isp.")) return { status: "retry", reason };
  return { status: "permanent", reason };
}
