import type { OutboundMessage, ProviderChannel, SendOutcome } from "./channel";
import { nationalNumber } from "./channel";
import { sendRpc, type AliyunRpcOptions } from "./aliyun-rpc";

export interface AliyunSmsOptions extends AliyunRpcOptions {
  /** The approved signature (签名), e.g. 守望社区. */
  signName: string;
  /**
   * An approved notification template (短信通知) with the variables `lead`, `hazard`, `place` and
   * `incident`, for example: `${lead}：${place}${hazard}，请立即处置（事件${incident}）`.
   */
  templateCode: string;
  /** Default https://dysmsapi.aliyuncs.com/ (a test points it at a local server). */
  endpoint?: string;
}

/** Template variables hold a few dozen characters; longer ones are refused (isv.PARAM_LENGTH_LIMIT). */
const FIELD_CHARS = 20;

/**
 * Aliyun SMS (dysmsapi 2017-05-25, SendSms): one number per delivery, so each person's outcome is
 * their own. https://help.aliyun.com/document_detail/55284.html
 * Aliyun does not deduplicate sends; a timed-out request is retried (a second alarm SMS is
 * better than none), the in-doubt case the delivery row's attempts record.
 */
export function aliyunSms(options: AliyunSmsOptions): ProviderChannel<string> {
  const rpc = { credentials: options.credentials, fetch: options.fetch, now: options.now, endpoint: options.endpoint ?? "https://dysmsapi.aliyuncs.com/" };
  return {
    name: "aliyun-sms",
    async send(to: string, message: OutboundMessage, signal: AbortSignal): Promise<SendOutcome> {
      const { fields } = message;
      return sendRpc(
        rpc,
        {
          Action: "SendSms",
          Version: "2017-05-25",
          PhoneNumbers: nationalNumber(to),
          SignName: options.signName,
          TemplateCode: options.templateCode,
          TemplateParam: JSON.stringify({
            lead: fields.lead.slice(0, FIELD_CHARS),
            hazard: fields.hazard.slice(0, FIELD_CHARS),
            place: fields.place.slice(0, FIELD_CHARS),
            incident: fields.incident.slice(0, FIELD_CHARS),
          }),
          OutId: message.outId,
        },
        signal,
        "Aliyun SMS",
        "BizId",
      );
    },
  };
}
