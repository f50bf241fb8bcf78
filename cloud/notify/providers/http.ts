import type { SendOutcome } from "./channel";

export interface ProviderResponse {
  status: number;
  /** The body parsed as JSON, or null when it was not JSON. */
  json: unknown;
  headers: Headers;
}

/**
 * One request to a provider. A network fault or an abort (the delivery's timeout) becomes a
 * `retry` outcome rather than an exception, so each adapter only maps the answers it understands.
 */
export async function providerRequest(
  fetcher: typeof fetch,
  url: string,
  init: RequestInit & { signal: AbortSignal },
): Promise<ProviderResponse | Extract<SendOutcome, { status: "retry" }>> {
  let response: Response;
  try {
    response = await fetcher(url, { ...init, redirect: "manual" });
  } catch (error) {
    const reason = init.signal.aborted ? ((init.signal.reason as Error | undefined)?.message ?? "no answer in time") : (error as Error).message;
    return { status: "retry", reason: `provider not reached: ${reason}` };
  }
  const text = await response.text().catch(() => "");
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, json, headers: response.headers };
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
