import { createHmac } from "node:crypto";

/**
 * The cloud's MQTT client ids. Each is the account's username, the instance, and 16 hex digits of
 * HMAC-SHA256 keyed with the account's password: stable across restarts (the ingest's persistent
 * session lives under its id), yet nobody without the password can name it. The broker's
 * identity plugin also binds every `sw-<account>-…` id to that account
 * (deploy/mosquitto/plugin), so even a guessed id is refused to anyone else; before issue 12 the
 * id was `sw-cloud-<hostname>` and a batch's claim credential could take over its session.
 */
export interface CloudClientIds {
  ingest: string;
  commands: string;
  notify: string;
  ota: string;
}

function tag(password: string | undefined, purpose: string): string {
  return createHmac("sha256", password ?? "").update(`shouwang mqtt client id\n${purpose}`).digest("hex").slice(0, 16);
}

export function cloudClientIds(username: string | undefined, password: string | undefined, instance: string): CloudClientIds {
  const base = `${username ?? "sw-cloud"}-${instance}-${tag(password, instance)}`;
  return { ingest: base, commands: `${base}-cmd`, notify: `${base}-notify`, ota: `${base}-ota` };
}

export function provisionerClientId(username: string, password: string, instance: string): string {
  return `${username}-${instance}-${tag(password, instance)}`;
}
