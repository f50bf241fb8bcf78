import { createDecipheriv, createHash, createHmac, createPublicKey, randomUUID, timingSafeEqual, verify, type ECDH } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Local HTTP servers shaped like the providers: each checks a request the way its provider's
 * documentation says the provider does (signature recomputed here, from the documented
 * algorithm, on node:crypto alone: never with the adapter's own code), then answers in the
 * provider's own words. `script` queues answers for the next accepted-looking requests
 * ("throttle", "refuse"); `accepted` keeps what was taken, with when.
 */
export interface FakeProvider {
  url: string;
  /** Every request seen, in order. */
  hits: Array<{ method: string; path: string; atMs: number }>;
  /** What the provider took: the recipient (phone or robot) and the request's fields. */
  accepted: Array<{ to: string; fields: Record<string, unknown>; atMs: number }>;
  /**
   * Answers for the next well-signed requests, in order; then everything is accepted. "refuse" is
   * the provider's permanent refusal: a bad number for SMS and voice, a removed robot for a group.
   */
  script: Array<"throttle" | "refuse" | "busy" | "unanswered">;
  /** Answers that refused, with the provider's code. */
  refused: Array<{ code: string; atMs: number }>;
  close(): Promise<void>;
}

type Handler = (request: { method: string; url: URL; headers: IncomingMessage["headers"]; body: string }, fake: FakeProvider) => { status: number; body: unknown };

async function serve(handler: Handler): Promise<FakeProvider> {
  const fake: FakeProvider = { url: "", hits: [], accepted: [], script: [], refused: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
      fake.hits.push({ method: req.method ?? "", path: url.pathname, atMs: Date.now() });
      const answer = handler({ method: req.method ?? "", url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") }, fake);
      res.writeHead(answer.status, { "content-type": "application/json;charset=utf-8" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

const equalText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

// ── Aliyun RPC (SMS and voice) ───────────────────────────────────────────────

/** RFC 3986 percent-encoding as Aliyun's signature documentation specifies (space %20, `*` %2A, `~` kept). */
const aliyunEncode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Aliyun's documented RPC signature: Base64(HMAC-SHA1(secret + "&", METHOD&%2F&encode(sorted canonical query))). */
export function aliyunSignature(params: Record<string, string>, method: string, secret: string): string {
  const canonical = Object.keys(params)
    .filter((key) => key !== "Signature")
    .sort()
    .map((key) => `${aliyunEncode(key)}=${aliyunEncode(params[key])}`)
    .join("&");
  return createHmac("sha1", `${secret}&`).update(`${method}&${aliyunEncode("/")}&${aliyunEncode(canonical)}`).digest("base64");
}

/** Aliyun's dysmsapi (SendSms) and dyvmsapi (SingleCallByTts) on one port. */
export function fakeAliyun(keys: Record<string, string>): Promise<FakeProvider> {
  const nonces = new Set<string>();
  /** Calls placed, by CallId: whether the callee will have answered ("unanswered" in the script says no). */
  const calls = new Map<string, { answered: boolean; to: string }>();
  return serve(({ method, url, body }, fake) => {
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (method === "POST") Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
    const requestId = randomUUID().toUpperCase();
    const refuse = (status: number, code: string, message: string) => {
      fake.refused.push({ code, atMs: Date.now() });
      return { status, body: { Code: code, Message: message, RequestId: requestId } };
    };
    const secret = keys[params.AccessKeyId];
    if (!secret) return refuse(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    if (params.SignatureMethod !== "HMAC-SHA1" || params.SignatureVersion !== "1.0") return refuse(400, "InvalidParameter", "SignatureMethod/SignatureVersion");
    if (!params.Signature || !equalText(aliyunSignature(params, method, secret), params.Signature)) {
      return refuse(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
    }
    if (Math.abs(Date.parse(params.Timestamp) - Date.now()) > 15 * 60_000) return refuse(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
    if (nonces.has(params.SignatureNonce)) return refuse(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
    nonces.add(params.SignatureNonce);
    if (params.Version !== "2017-05-25") return refuse(400, "InvalidVersion", "Specified parameter Version is not valid.");
    if (params.Action === "QueryCallDetailByCallId") {
      const call = calls.get(params.CallId);
      if (params.ProdId !== "11000000300006" || !/^\d{13}$/.test(params.QueryDate ?? "")) return refuse(400, "InvalidParameter", "ProdId/QueryDate");
      if (!call) return { status: 200, body: { Code: "OK", Message: "OK", Data: "", RequestId: requestId } };
      const detail = { caller: "0571****5678", callee: call.to, state: call.answered ? "200000" : "200005", duration: call.answered ? 18 : 0, startDate: "2026-12-06 20:00:00", endDate: "2026-12-06 20:00:30", gmtCreate: "2026-12-06 20:00:00" };
      return { status: 200, body: { Code: "OK", Message: "OK", Data: JSON.stringify(detail), RequestId: requestId } };
    }
    const next = fake.script.shift();
    if (next === "throttle") return refuse(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1");
    if (next === "busy") return refuse(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
    if (params.Action === "SendSms") {
      for (const required of ["PhoneNumbers", "SignName", "TemplateCode"]) if (!params[required]) return refuse(400, "MissingParameter", required);
      if (next === "refuse" || !/^1\d{10}$/.test(params.PhoneNumbers)) return refuse(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号");
      fake.accepted.push({ to: params.PhoneNumbers, fields: { ...params, TemplateParam: JSON.parse(params.TemplateParam ?? "{}") }, atMs: Date.now() });
      return { status: 200, body: { Code: "OK", Message: "OK", BizId: `9006197469364984${fake.accepted.length}`, RequestId: requestId } };
    }
    if (params.Action === "SingleCallByTts") {
      for (const required of ["CalledNumber", "TtsCode"]) if (!params[required]) return refuse(400, "MissingParameter", required);
      if (next === "refuse" || !/^1\d{10}$/.test(params.CalledNumber)) return refuse(200, "isv.MOBILE_NUMBER_ILLEGAL", "号码格式非法");
      if (params.OutId && Buffer.byteLength(params.OutId) > 15) return refuse(400, "isv.INVALID_PARAMETERS", "OutId");
      fake.accepted.push({ to: params.CalledNumber, fields: { ...params, TtsParam: JSON.parse(params.TtsParam ?? "{}") }, atMs: Date.now() });
      const callId = `116012354148^10281378${fake.accepted.length}`;
      calls.set(callId, { answered: next !== "unanswered", to: params.CalledNumber });
      return { status: 200, body: { Code: "OK", Message: "OK", CallId: callId, RequestId: requestId } };
    }
    return refuse(404, "InvalidAction.NotFound", "Specified api is not found.");
  });
}

// ── Tencent Cloud API 3.0 (SMS) ──────────────────────────────────────────────

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** Tencent's documented TC3-HMAC-SHA256, for any signed header list. */
export function tc3Signature(options: { method: string; headers: Record<string, string>; signedHeaders: string[]; payload: string; timestampS: number; service: string; secretKey: string }): string {
  const date = new Date(options.timestampS * 1000).toISOString().slice(0, 10);
  const canonicalHeaders = options.signedHeaders.map((h) => `${h}:${options.headers[h].trim().toLowerCase()}\n`).join("");
  const canonicalRequest = [options.method, "/", "", canonicalHeaders, options.signedHeaders.join(";"), sha256Hex(options.payload)].join("\n");
  const stringToSign = ["TC3-HMAC-SHA256", String(options.timestampS), `${date}/${options.service}/tc3_request`, sha256Hex(canonicalRequest)].join("\n");
  const mac = (key: string | Buffer, text: string) => createHmac("sha256", key).update(text, "utf8").digest();
  const key = mac(mac(mac(`TC3${options.secretKey}`, date), options.service), "tc3_request");
  return createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
}

export function fakeTencentSms(keys: Record<string, string>): Promise<FakeProvider> {
  return serve(({ method, headers, body }, fake) => {
    const requestId = randomUUID();
    const error = (code: string, message: string) => {
      fake.refused.push({ code, atMs: Date.now() });
      return { status: 200, body: { Response: { Error: { Code: code, Message: message }, RequestId: requestId } } };
    };
    const auth = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(String(headers.authorization ?? ""));
    if (!auth) return error("AuthFailure.InvalidAuthorization", "Authorization in the request header is invalid.");
    const [, secretId, date, service, signed, signature] = auth;
    const secret = keys[secretId];
    if (!secret) return error("AuthFailure.SecretIdNotFound", "The SecretId is not found.");
    const timestampS = Number(headers["x-tc-timestamp"]);
    if (!Number.isInteger(timestampS) || Math.abs(timestampS - Date.now() / 1000) > 300) return error("AuthFailure.SignatureExpire", "Signature expired.");
    const signedHeaders = signed.split(";");
    if (!signedHeaders.includes("content-type") || !signedHeaders.includes("host")) return error("AuthFailure.InvalidAuthorization", "content-type and host must be signed");
    const plain = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
    const expected = tc3Signature({ method, headers: plain, signedHeaders, payload: body, timestampS, service, secretKey: secret });
    if (service !== "sms" || date !== new Date(timestampS * 1000).toISOString().slice(0, 10) || !equalText(expected, signature)) {
      return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.");
    }
    if (headers["x-tc-action"] !== "SendSms" || headers["x-tc-version"] !== "2021-01-11") return error("InvalidAction", "action/version");
    if (!headers["x-tc-region"]) return error("MissingParameter", "Region");
    const next = fake.script.shift();
    if (next === "throttle") return error("RequestLimitExceeded", "Your current request times equals to `3001` in a second, which exceeds the frequency limit `3000` for a second.");
    if (next === "busy") return error("InternalError.Timeout", "请求下发短信超时");
    const request = JSON.parse(body) as { PhoneNumberSet: string[]; SmsSdkAppId: string; SignName: string; TemplateId: string; TemplateParamSet: string[]; SessionContext?: string };
    const phone = request.PhoneNumberSet[0];
    if (next === "refuse" || !/^\+\d{8,15}$/.test(phone)) {
      fake.refused.push({ code: "InvalidParameterValue.IncorrectPhoneNumber", atMs: Date.now() });
      return { status: 200, body: { Response: { SendStatusSet: [{ SerialNo: "", PhoneNumber: phone, Fee: 0, SessionContext: request.SessionContext ?? "", Code: "InvalidParameterValue.IncorrectPhoneNumber", Message: "手机号格式错误", IsoCode: "" }], RequestId: requestId } } };
    }
    fake.accepted.push({ to: phone, fields: request as unknown as Record<string, unknown>, atMs: Date.now() });
    return {
      status: 200,
      body: { Response: { SendStatusSet: [{ SerialNo: `5000:1045710669157053657849499619${fake.accepted.length}`, PhoneNumber: phone, Fee: 1, SessionContext: request.SessionContext ?? "", Code: "Ok", Message: "send success", IsoCode: "CN" }], RequestId: requestId } },
    };
  });
}

// ── Group robots ─────────────────────────────────────────────────────────────

/** WeCom: `POST /cgi-bin/webhook/send?key=KEY`; the key is the credential. */
export function fakeWecom(keys: string[]): Promise<FakeProvider> {
  return serve(({ url, body }, fake) => {
    const refuse = (errcode: number, errmsg: string) => {
      fake.refused.push({ code: String(errcode), atMs: Date.now() });
      return { status: 200, body: { errcode, errmsg } };
    };
    if (url.pathname !== "/cgi-bin/webhook/send" || !keys.includes(url.searchParams.get("key") ?? "")) return refuse(93000, "invalid webhook url, hint: [1733465040_4_0ef1d5e3]");
    const next = fake.script.shift();
    if (next === "throttle") return refuse(45009, "api freq out of limit");
    if (next === "busy") return refuse(-1, "system busy");
    if (next === "refuse") return refuse(93000, "invalid webhook url");
    const message = JSON.parse(body) as { msgtype: string; text?: { content: string; mentioned_mobile_list?: string[] } };
    if (message.msgtype !== "text" || !message.text?.content) return refuse(44004, "empty content");
    if (Buffer.byteLength(message.text.content) > 2048) return refuse(40058, "content exceed max length");
    fake.accepted.push({ to: url.searchParams.get("key")!, fields: message as unknown as Record<string, unknown>, atMs: Date.now() });
    return { status: 200, body: { errcode: 0, errmsg: "ok" } };
  });
}

/** DingTalk: `POST /robot/send?access_token=…&timestamp=<ms>&sign=<urlencoded base64>`. */
export function fakeDingtalk(robots: Record<string, string>): Promise<FakeProvider> {
  return serve(({ url, body }, fake) => {
    const refuse = (errcode: number, errmsg: string) => {
      fake.refused.push({ code: String(errcode), atMs: Date.now() });
      return { status: 200, body: { errcode, errmsg } };
    };
    const token = url.searchParams.get("access_token") ?? "";
    const secret = robots[token];
    if (url.pathname !== "/robot/send" || secret === undefined) return refuse(300001, "token is not exist");
    const timestamp = url.searchParams.get("timestamp") ?? "";
    const sign = url.searchParams.get("sign") ?? "";
    if (Math.abs(Number(timestamp) - Date.now()) > 3_600_000) return refuse(310000, "sign not match, more: timestamp is over one hour");
    const expected = createHmac("sha256", secret).update(`${timestamp}\n${secret}`, "utf8").digest("base64");
    if (!equalText(expected, sign)) return refuse(310000, "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]");
    const next = fake.script.shift();
    if (next === "throttle") return refuse(130101, "send too fast, exceed 20 times per minute");
    if (next === "busy") return refuse(-1, "系统繁忙");
    if (next === "refuse") return refuse(300001, "token is not exist");
    const message = JSON.parse(body) as { msgtype: string; text?: { content: string }; at?: { atMobiles?: string[] } };
    if (message.msgtype !== "text" || !message.text?.content) return refuse(40035, "缺少参数 json");
    fake.accepted.push({ to: token, fields: message as unknown as Record<string, unknown>, atMs: Date.now() });
    return { status: 200, body: { errcode: 0, errmsg: "ok" } };
  });
}

/** Feishu: `POST /open-apis/bot/v2/hook/{id}` with timestamp (s) and sign in the body. */
export function fakeFeishu(bots: Record<string, string>): Promise<FakeProvider> {
  return serve(({ url, body }, fake) => {
    const refuse = (code: number, msg: string) => {
      fake.refused.push({ code: String(code), atMs: Date.now() });
      return { status: code === 9499 ? 400 : 200, body: { code, data: {}, msg } };
    };
    const id = /^\/open-apis\/bot\/v2\/hook\/([\w-]+)$/.exec(url.pathname)?.[1];
    const secret = id === undefined ? undefined : bots[id];
    if (secret === undefined) return refuse(19001, "param invalid: incoming webhook access token invalid");
    if (Buffer.byteLength(body) > 20 * 1024) return refuse(9499, "Bad Request");
    const message = JSON.parse(body) as { timestamp?: string; sign?: string; msg_type: string; content?: { text?: string } };
    const expected = createHmac("sha256", `${message.timestamp}\n${secret}`).update(Buffer.alloc(0)).digest("base64");
    if (Math.abs(Number(message.timestamp) - Date.now() / 1000) > 3600 || !equalText(expected, message.sign ?? "")) {
      return refuse(19021, "sign match fail or timestamp is not within one hour from current time");
    }
    const next = fake.script.shift();
    if (next === "throttle") return refuse(11232, "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]");
    if (next === "refuse") return refuse(19001, "param invalid: incoming webhook access token invalid");
    if (message.msg_type !== "text" || !message.content?.text) return refuse(9499, "Bad Request");
    fake.accepted.push({ to: id!, fields: message as unknown as Record<string, unknown>, atMs: Date.now() });
    return { status: 200, body: { code: 0, data: {}, msg: "success" } };
  });
}

// ── Web Push (RFC 8030 push service, RFC 8292 VAPID, RFC 8291 aes128gcm) ─────

export interface FakePushService extends FakeProvider {
  /** A browser subscribed at `path` with these keys, to a cloud whose VAPID public key is `serverKey`. */
  browser(path: string, keys: { ecdh: ECDH; auth: Buffer; serverKey: string }): string;
  /** Answers for the next pushes, in order: 410 (the browser unsubscribed), 429 (throttled, Retry-After 3). */
  answers: Array<410 | 429>;
  /** Each push taken, decrypted as the browser would. */
  received: Array<{ path: string; payload: unknown; ttl: string | undefined; urgency: string | undefined; atMs: number }>;
}

const hmac256 = (key: Buffer, data: Buffer) => createHmac("sha256", key).update(data).digest();

/** RFC 8291 §3: what the browser does with a push message, from its own private key and auth secret. */
export function decryptPush(body: Buffer, ecdh: ECDH, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const senderPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const browserPublic = ecdh.getPublicKey();
  const shared = ecdh.computeSecret(senderPublic);
  const ikm = hmac256(hmac256(authSecret, shared), Buffer.concat([Buffer.from("WebPush: info\0"), browserPublic, senderPublic, Buffer.from([1])]));
  const prk = hmac256(salt, ikm);
  const cek = hmac256(prk, Buffer.from("Content-Encoding: aes128gcm\0\x01", "latin1")).subarray(0, 16);
  const nonce = hmac256(prk, Buffer.from("Content-Encoding: nonce\0\x01", "latin1")).subarray(0, 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error("no last-record padding delimiter");
  return plain.subarray(0, end);
}

/** RFC 8292: the VAPID token is an ES256 JWT for this push service's origin, signed by the key in `k`. */
function vapidProblem(header: string | undefined, origin: string, serverKey: string): string | null {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? "");
  if (!match) return "no VAPID authorization";
  const [, token, key] = match;
  if (key !== serverKey) return "VAPID key is not the one the subscription was made with";
  const [head, claims, signature] = token.split(".");
  const point = Buffer.from(key, "base64url");
  const publicKey = createPublicKey({ key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33, 65).toString("base64url") }, format: "jwk" });
  if (!verify("sha256", Buffer.from(`${head}.${claims}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"))) return "VAPID signature does not verify";
  const { alg } = JSON.parse(Buffer.from(head, "base64url").toString()) as { alg: string };
  const body = JSON.parse(Buffer.from(claims, "base64url").toString()) as { aud: string; exp: number; sub: string };
  if (alg !== "ES256") return "VAPID token is not ES256";
  if (body.aud !== origin) return `VAPID audience ${body.aud} is not ${origin}`;
  const now = Date.now() / 1000;
  if (!(body.exp > now && body.exp <= now + 24 * 3600)) return "VAPID token expired or valid for over 24 h";
  if (!/^(mailto:|https:)/.test(body.sub)) return "VAPID subject is not a contact";
  return null;
}

export async function fakePushService(): Promise<FakePushService> {
  const browsers = new Map<string, { ecdh: ECDH; auth: Buffer; serverKey: string }>();
  // A push service answers in status codes and headers, not JSON bodies: its own listener.
  const service = { url: "", hits: [], accepted: [], script: [], refused: [] } as unknown as FakePushService;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      service.hits.push({ method: req.method ?? "", path, atMs: Date.now() });
      const answer = (status: number, headers: Record<string, string> = {}, code?: string) => {
        if (code) service.refused.push({ code, atMs: Date.now() });
        res.writeHead(status, headers);
        res.end();
      };
      const browser = browsers.get(path);
      if (req.method !== "POST" || !browser) return answer(404, {}, "no such subscription");
      const problem = vapidProblem(req.headers.authorization, service.url, browser.serverKey);
      if (problem) return answer(403, {}, problem);
      if (req.headers["content-encoding"] !== "aes128gcm") return answer(415, {}, "not aes128gcm");
      const next = service.answers.shift();
      if (next === 410) return answer(410, {}, "unsubscribed");
      if (next === 429) return answer(429, { "retry-after": "3" }, "throttled");
      let payload: unknown;
      try {
        payload = JSON.parse(decryptPush(Buffer.concat(chunks), browser.ecdh, browser.auth).toString("utf8"));
      } catch (error) {
        return answer(400, {}, `undecryptable: ${(error as Error).message}`);
      }
      service.received.push({ path, payload, ttl: req.headers.ttl as string | undefined, urgency: req.headers.urgency as string | undefined, atMs: Date.now() });
      service.accepted.push({ to: path, fields: payload as Record<string, unknown>, atMs: Date.now() });
      answer(201, { location: `${service.url}/message/${service.received.length}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  service.answers = [];
  service.received = [];
  service.browser = (path, keys) => {
    browsers.set(path, keys);
    return `${service.url}${path}`;
  };
  return service;
}
