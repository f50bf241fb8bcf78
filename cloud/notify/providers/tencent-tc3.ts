import { createHash, createHmac } from "node:crypto";

export interface Tc3Request {
  /** e.g. `sms`, the first label of the host. */
  service: string;
  host: string;
  /** The JSON body exactly as sent: the signature covers its bytes. */
  payload: string;
  timestampS: number;
  secretId: string;
  secretKey: string;
}

const CONTENT_TYPE = "application/json; charset=utf-8";

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const hmac = (key: string | Buffer, text: string) => createHmac("sha256", key).update(text, "utf8").digest();

/**
 * Tencent Cloud API 3.0's TC3-HMAC-SHA256 for a POST with a JSON body, signing the two headers
 * the documentation requires (content-type and host):
 *   CanonicalRequest = POST \n / \n (empty query) \n canonical headers \n signed headers \n SHA256(payload)
 *   StringToSign     = TC3-HMAC-SHA256 \n timestamp \n <UTC date>/<service>/tc3_request \n SHA256(CanonicalRequest)
 *   key chain        = HMAC("TC3" + SecretKey, date) → service → "tc3_request"; signature = hex HMAC(key, StringToSign)
 * https://cloud.tencent.com/document/api/362/4208 (签名方法 v3); the test reproduces its
 * DescribeInstances example. Written on node:crypto rather than taking tencentcloud-sdk-nodejs:
 * the SDK brings every Tencent product's client (tens of MB) for one signed POST, and these ten
 * lines are the whole of what it would do here.
 */
export function signTc3(request: Tc3Request): { authorization: string; headers: Record<string, string>; signature: string } {
  const date = new Date(request.timestampS * 1000).toISOString().slice(0, 10);
  const canonicalHeaders = `content-type:${CONTENT_TYPE}\nhost:${request.host}\n`;
  const signedHeaders = "content-type;host";
  const canonicalRequest = ["POST", "/", "", canonicalHeaders, signedHeaders, sha256Hex(request.payload)].join("\n");
  const scope = `${date}/${request.service}/tc3_request`;
  const stringToSign = ["TC3-HMAC-SHA256", String(request.timestampS), scope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(`TC3${request.secretKey}`, date), request.service), "tc3_request");
  const signature = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");
  const authorization = `TC3-HMAC-SHA256 Credential=${request.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  // Host is not set by hand: fetch sends the URL's own, which is the one signed.
  return { authorization, signature, headers: { authorization, "content-type": CONTENT_TYPE } };
}
