import type { CallResult, OutboundMessage, ProviderChannel, SendOutcome } from "./channel";
import { isMainland, nationalNumber } from "./channel";
import { callRpc, sendRpc, type AliyunRpcOptions } from "./aliyun-rpc";

export interface AliyunVoiceOptions extends AliyunRpcOptions {
  /**
   * An approved text-to-speech template (文本转语音模板) with the variables `hazard` and `place`,
   * e.g. `紧急通知：${place}发生${hazard}，请立即处置。`
   */
  ttsCode: string;
  /** The number shown to the callee (专属模式); unset for the public pool (公共模式). */
  calledShowNumber?: string;
  /** Times the message is read in one call, 1–3 (default 3: a person woken at night hears it twice more). */
  playTimes?: number;
  /** Default https://dyvmsapi.aliyuncs.com/. */
  endpoint?: string;
}

/**
 * Aliyun voice notification (dyvmsapi 2017-05-25, SingleCallByTts): a call that reads the alarm
 * aloud. Accepted means the call was placed (the answer carries its CallId); Aliyun limits each
 * called number to 1 call a minute, 5 an hour and 20 a day, and reaches mainland numbers only.
 * https://help.aliyun.com/document_detail/393519.html
 */
export function aliyunVoice(options: AliyunVoiceOptions): ProviderChannel<string> {
  const rpc = { credentials: options.credentials, fetch: options.fetch, now: options.now, endpoint: options.endpoint ?? "https://dyvmsapi.aliyuncs.com/" };
  return {
    name: "aliyun-voice",
    async send(to: string, message: OutboundMessage, signal: AbortSignal): Promise<SendOutcome> {
      if (!isMainland(to)) return { status: "permanent", reason: "Aliyun voice notifications call mainland mobile numbers only" };
      return sendRpc(
        rpc,
        {
          Action: "SingleCallByTts",
          Version: "2017-05-25",
          CalledNumber: nationalNumber(to),
          TtsCode: options.ttsCode,
          TtsParam: JSON.stringify({ hazard: message.fields.hazard.slice(0, 20), place: message.fields.place.slice(0, 20) }),
          PlayTimes: String(options.playTimes ?? 3),
          // OutId is 1–15 bytes; our delivery ids fit.
          OutId: message.outId.slice(0, 15),
          ...(options.calledShowNumber ? { CalledShowNumber: options.calledShowNumber } : {}),
        },
        signal,
        "Aliyun voice",
        "CallId",
      );
    },

    /**
     * QueryCallDetailByCallId (ProdId 11000000300006, voice notification; QueryDate the day of
     * the call): a call with talk time was answered; one that ended with none was not. Aliyun
     * syncs these 3 to 5 minutes after the call, so an empty answer is "unknown", asked again later.
     * https://help.aliyun.com/document_detail/393529.html
     */
    async callResult(callId: string, placedAtMs: number, signal: AbortSignal): Promise<CallResult> {
      const answer = await callRpc(
        rpc,
        { Action: "QueryCallDetailByCallId", Version: "2017-05-25", CallId: callId, ProdId: "11000000300006", QueryDate: String(placedAtMs) },
        signal,
      );
      if ("reason" in answer || answer.body.Code !== "OK" || typeof answer.body.Data !== "string" || !answer.body.Data) return "unknown";
      let detail: { duration?: number | string; endDate?: string };
      try {
        detail = JSON.parse(answer.body.Data) as typeof detail;
      } catch {
        return "unknown";
      }
      if (Number(detail.duration) > 0) return "answered";
      return detail.endDate ? "unanswered" : "unknown";
    },
  };
}
