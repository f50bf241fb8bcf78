import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerRequest, type ProviderResponse } from "../../../cloud/notify/providers/http";

/** The request path providers use when no fetch is given: node's own http client, against a real server. */
describe("a request to a provider over node's http client", () => {
  let server: Server;
  let base = "";
  const seen: Array<{ method?: string; url?: string; type?: string; body: string }> = [];
  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        seen.push({ method: request.method, url: request.url, type: request.headers["content-type"], body });
        if (request.url === "/slow") return void setTimeout(() => response.end("{}"), 2000);
        if (request.url === "/text") return void response.writeHead(502, { "content-type": "text/plain" }).end("Bad Gateway");
        if (request.url === "/moved") return void response.writeHead(302, { location: "https://elsewhere.example/" }).end();
        response.writeHead(201, { "content-type": "application/json", location: "/messages/7", "retry-after": "30" }).end(JSON.stringify({ Code: "OK", echo: body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, body: string | Uint8Array<ArrayBuffer>, signal = AbortSignal.timeout(5000)) =>
    providerRequest(undefined, `${base}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body, signal });

  it("sends the method, headers and body, and gives back the status, the JSON and the headers", async () => {
    const answer = (await post("/sms", "PhoneNumbers=13800000000&SignName=%E5%AE%88%E6%9C%9B")) as ProviderResponse;
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({ Code: "OK", echo: "PhoneNumbers=13800000000&SignName=%E5%AE%88%E6%9C%9B" });
    expect(answer.headers.get("Location")).toBe("/messages/7");
    expect(answer.headers.get("retry-after")).toBe("30");
    expect(answer.headers.get("x-absent")).toBeNull();
    expect(seen.at(-1)).toMatchObject({ method: "POST", url: "/sms", type: "application/x-www-form-urlencoded" });
  });

  it("sends a byte body as it is", async () => {
    const answer = (await post("/push", new Uint8Array([0x7b, 0x7d]))) as ProviderResponse;
    expect(answer.json).toEqual({ Code: "OK", echo: "{}" });
  });

  it("gives a body that is not JSON as null, with its status", async () => {
    const answer = (await post("/text", "x")) as ProviderResponse;
    expect(answer).toMatchObject({ status: 502, json: null });
  });

  it("does not follow a redirect", async () => {
    const answer = (await post("/moved", "x")) as ProviderResponse;
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("https://elsewhere.example/");
  });

  it("turns a timeout into a retry, with why", async () => {
    const started = performance.now();
    const answer = await post("/slow", "x", AbortSignal.timeout(100));
    expect(answer).toMatchObject({ status: "retry", reason: expect.stringMatching(/^provider not reached: .*(time|abort)/i) });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("turns a provider that cannot be reached into a retry", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const answer = await providerRequest(undefined, `http://127.0.0.1:${port}/`, { method: "POST", headers: {}, body: "x", signal: AbortSignal.timeout(5000) });
    expect(answer).toMatchObject({ status: "retry", reason: expect.stringContaining("ECONNREFUSED") });
  });
});
