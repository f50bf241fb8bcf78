import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { SendOutcome } from "./channel";

export interface ProviderResponse {
  status: number;
  /** The body parsed as JSON, or null when it was not JSON. */
  json: unknown;
  headers: { get(name: string): string | null };
}

/** What a request to a provider carries: a text or byte body, and the delivery's timeout as a signal. */
export interface ProviderRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  signal: AbortSignal;
}

/**
 * One request to a provider. A network fault or an abort (the delivery's timeout) becomes a
 * `retry` outcome rather than an exception, so each adapter only maps the answers it understands.
 *
 * Sent with node's own http(s) client (its default agents keep connections alive), not `fetch`:
 * WHATWG fetch builds streams, a Request and a Response for each call, and cost 3–4 times the
 * CPU per request (a local answer, 32 at a time: fetch 390 µs, node:http 50–130 µs, the
 * server's share taken out), all of it on the loop the alarms share; while 10,000 nodes
 * reconnected, the SMS of the first alarms were an eighth of that loop's time (bench:storm,
 * BENCH_CPU_PROFILE). `fetcher`, when given, is used instead (tests' fakes).
 */
export async function providerRequest(
  fetcher: typeof fetch | undefined,
  url: string,
  init: ProviderRequestInit,
): Promise<ProviderResponse | Extract<SendOutcome, { status: "retry" }>> {
  try {
    return fetcher ? await viaFetch(fetcher, url, init) : await viaNode(url, init);
  } catch (error) {
    const reason = init.signal.aborted ? ((init.signal.reason as Error | undefined)?.message ?? "no answer in time") : (error as Error).message;
    return { status: "retry", reason: `provider not reached: ${reason}` };
  }
}

async function viaFetch(fetcher: typeof fetch, url: string, init: ProviderRequestInit): Promise<ProviderResponse> {
  const response = await fetcher(url, { ...init, redirect: "manual" });
  const text = await response.text().catch(() => "");
  return { status: response.status, json: parseJson(text), headers: response.headers };
}

/** Redirects are not followed (as `redirect: "manual"`): a provider that moved answers 3xx, which no adapter takes for success. */
function viaNode(url: string, init: ProviderRequestInit): Promise<ProviderResponse> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith("https:") ? httpsRequest : httpRequest;
    const request = send(url, { method: init.method, headers: init.headers, signal: init.signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, json: parseJson(Buffer.concat(chunks).toString("utf8")), headers: headerReader(response.headers) }),
      );
    });
    request.on("error", reject);
    request.end(init.body);
  });
}

function headerReader(headers: IncomingHttpHeaders): ProviderResponse["headers"] {
  return {
    get: (name) => {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** An HTTP status no adapter-specific code explained: 5xx and 429 may pass, anything else will not. */
export function outcomeOfStatus(status: number, what: string): SendOutcome {
  if (status === 429 || status === 408 || status >= 500) return { status: "retry", reason: `${what} answered HTTP ${status}` };
  return { status: "permanent", reason: `${what} answered HTTP ${status}` };
}

/** Cuts a string to at most `bytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes - 3) break;
    out += char;
    used += size;
  }
  return `${out}…`;
}
