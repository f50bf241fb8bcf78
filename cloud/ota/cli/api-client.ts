/** The cloud's HTTP API as the CLIs call it: base URL and token from flags or SHOUWANG_URL / SHOUWANG_TOKEN. */
export class ApiError extends Error {
  override name = "ApiError";
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  upload<T>(path: string, form: FormData): Promise<T>;
}

export function apiClient(options: { url?: string; token?: string }): ApiClient {
  const base = (options.url ?? process.env.SHOUWANG_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
  const token = options.token ?? process.env.SHOUWANG_TOKEN;
  if (!token) throw new ApiError("an API token is needed: pass --token or set SHOUWANG_TOKEN (npm start prints the first admin token)");
  const call = async <T>(path: string, init: RequestInit): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
    } catch (error) {
      throw new ApiError(`could not reach the cloud at ${base}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      if (!response.ok) throw new ApiError(`${response.status} from ${path}`);
    }
    if (!response.ok) throw new ApiError(`${String(body.message ?? `${response.status} from ${path}`)}${body.error ? ` [${String(body.error)}]` : ""}`);
    return body as T;
  };
  return {
    get: (path) => call(path, { method: "GET" }),
    post: (path, body) => call(path, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body), headers: { "content-type": "application/json" } }),
    upload: (path, form) => call(path, { method: "POST", body: form }),
  };
}
