/**
 * What one provider answered for one message, in the three ways that decide what happens next:
 * - `accepted`: the provider took it (an SMS handed to the carrier, a call placed, a robot's post
 *   in the group); only this counts as delivered.
 * - `retry`: it may work later (throttled, a network fault, the provider busy); `afterMs` is the
 *   provider's own hint of how long to wait, when it gives one.
 * - `permanent`: it never will as configured (a bad number, a bad signature, an unapproved
 *   template, a removed robot): retrying only spends the provider's limits.
 */
export type SendOutcome =
  | { status: "accepted"; reference?: string }
  | { status: "retry"; reason: string; afterMs?: number }
  | { status: "permanent"; reason: string };

/**
 * The alarm in the few words a template holds. Providers in China send only approved templates,
 * so an SMS or a call carries these as the template's variables, never free text.
 */
export interface AlertFields {
  /** Why this person hears of it: 告警, 升级, 复发, 派单, 复查到期. */
  lead: string;
  /** The hazard in Chinese: 火警, 电气隐患 … */
  hazard: string;
  /** Where: 和平社区 3号院 1号楼. */
  place: string;
  /** The incident's number, as staff quote it: 1024. */
  incident: string;
}

export interface OutboundMessage {
  /** The whole line for channels that take free text (robots), Chinese first. */
  text: string;
  fields: AlertFields;
  /** Our delivery's id, handed to the provider where it echoes one back (OutId, SessionContext). */
  outId: string;
  /** Phones (E.164) a group robot should mention, so the people of the tier get an @ in the group. */
  mentionPhones?: string[];
}

/**
 * One way of reaching someone through a provider: an SMS gateway, a voice-call service, a group
 * robot. `To` is the address the channel needs (a phone number; a robot's webhook and secret).
 * `send` never throws for a provider's answer: every answer, and every network fault, comes back
 * as an outcome the delivery queue can act on.
 */
export interface ProviderChannel<To> {
  /** For delivery rows and logs: `aliyun-sms`, `dingtalk-robot` … */
  readonly name: string;
  send(to: To, message: OutboundMessage, signal: AbortSignal): Promise<SendOutcome>;
  /**
   * For a call: whether the person answered, as the provider reports it some minutes after the
   * call (`unknown` until it does). A call counts as delivered only once answered.
   */
  callResult?(reference: string, placedAtMs: number, signal: AbortSignal): Promise<CallResult>;
}

export type CallResult = "answered" | "unanswered" | "unknown";

/** A group chat's robot, as registered for a place. The secret (where the robot has one) signs each post. */
export interface RobotAddress {
  url: string;
  secret: string | null;
}

export { ROBOT_KINDS } from "../../db/schema/notify";
export type RobotKind = (typeof import("../../db/schema/notify").ROBOT_KINDS)[number];

/** Mainland numbers as Chinese providers write them (no country code); others as `<code><number>` without the plus. */
export function nationalNumber(e164: string): string {
  return e164.startsWith("+86") ? e164.slice(3) : e164.replace(/^\+/, "");
}

export const isMainland = (e164: string): boolean => /^\+861\d{10}$/.test(e164);
