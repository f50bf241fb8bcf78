/// <reference path="./xsnap-globals.d.ts" />
import type { HostReply, NodeToHost } from "./protocol";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Sends one request to the host harness and returns its answer; throws what the host reports. */
export function callHost(request: NodeToHost): unknown {
  const bytes = encoder.encode(JSON.stringify(request));
  const reply = JSON.parse(decoder.decode(issueCommand(bytes.buffer as ArrayBuffer))) as HostReply;
  if (!reply.ok) throw new Error(`host refused ${request.op}: ${reply.error}`);
  return reply.value;
}
