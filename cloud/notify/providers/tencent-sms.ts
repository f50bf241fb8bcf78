import type { OutboundMessage, ProviderChannel, SendOutcome } from "./channel";
import { outcomeOfStatus, providerRequest } from "./http";
import { signTc3 } from "./tencent-tc3";

export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  /** The SMS application's SdkAppId (1400…). */
  sdkAppId: string;
  /** The approved signature (签名内容). */
  signName: string;
  /**
   * An approved notification template whose four variables are, in order, the lead, the hazard,
   * the place and the incident number: `{1}：{3}{2}，请立即处置（事件{4}）`.
   */
  templateId: string;
  /** SMS is served from ap-guangzhou, ap-beijing or ap-nanjing (default ap-guangzhou). */
  region?: string;
  /** Default https://sms.tencentcloudapi.com/. */
  endpoint?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * Tencent Cloud SMS (2021-01-11, SendSms), one number per delivery.
 * https://cloud.tencent.com/document/api/382/55981; codes from
 * https://cloud.tencent.com/document/api/382/52075. A number's 30-second, hourly or daily limit
 * (LimitExceeded.PhoneNumber…) and the API's own rate limit pass with time; a bad number,
 * signature, template or key will not.
 */
export function tencentSms(options: TencentSmsOptions): ProviderChannel<string> {
  const endpoint = options.endpoint ?? "https://sms.tencentcloudapi.com/";
  const host = new URL(endpoint).host;
  return {
    name: "tencent-sms",
    async send(to: string, message: OutboundMessage, signal: AbortSignal): Promise<SendOutcome> {
      const { fields } = message;
      const payload = JSON.stringify({
        PhoneNumberSet: [to],
        SmsSdkAppId: options.sdkAppId,
        SignName: options.signName,
        TemplateId: options.templateId,
        TemplateParamSet: [fields.lead, fields.hazard, fields.place, fields.incident].map((v) => v.slice(0, 20)),
        SessionContext: message.outId,
      });
      const timestampS = Math.floor((options.now?.() ?? Date.now()) / 1000);
      const signed = signTc3({ service: "sms", host, payload, timestampS, secretId: options.secretId, secretKey: options.secretKey });
      const answer = await providerRequest(options.fetch, endpoint, {
        method: "POST",
        headers: {
          ...signed.headers,
          "x-tc-action": "SendSms",
          "x-tc-version": "2021-01-11",
          "x-tc-region": options.region ?? "ap-guangzhou",
          "x-tc-timestamp": String(timestampS),
        },
        body: payload,
        signal,
      });
      if ("reason" in answer) return answer;
      const response = (answer.json as { Response?: TencentResponse } | null)?.Response;
      if (!response) return outcomeOfStatus(answer.status, "Tencent SMS");
      if (response.Error) return outcomeOfCode(response.Error.Code, response.Error.Message);
      const status = response.SendStatusSet?.[0];
      if (!status) return { status: "retry", reason: "Tencent SMS answered without a send status" };
      if (status.Code === "Ok") return { status: "accepted", reference: status.SerialNo };
      return outcomeOfCode(status.Code, status.Message);
    },
  };
}

interface TencentResponse {
  Error?: { Code: string; Message?: string };
  SendStatusSet?: Array<{ SerialNo?: string; PhoneNumber?: string; Code: string; Message?: string }>;
  RequestId?: string;
}

function outcomeOfCode(code: string, message: string | undefined): SendOutcome {
  const reason = `Tencent SMS refused: ${code}${message ? ` (${message})` : ""}`;
  // A number's daily quota is spent for today: waiting minutes will not help.
  if (code === "LimitExceeded.PhoneNumberDailyLimit") return { status: "permanent", reason };
  if (
    code.startsWith("RequestLimitExceeded") ||
    code.startsWith("LimitExceeded.PhoneNumber") ||
    code === "LimitExceeded.DeliveryFrequencyLimit" ||
    code === "InternalError.Timeout" ||
    code === "InternalError" ||
    code === "InternalError.OtherError" ||
    code === "FailedOperation.JsonParseFail"
  ) {
    return { status: "retry", reason, afterMs: code === "LimitExceeded.PhoneNumberThirtySecondLimit" ? 30_000 : undefined };
  }
  return { status: "permanent", reason };
}
