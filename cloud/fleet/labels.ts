import { createHash } from "node:crypto";
import { isSerial, serialFromMac } from "../../shared/claim";
import { isNodeKind, type NodeKind } from "../../shared/node-kinds";
import { FleetError } from "./fleet-error";

/**
 * A device label's QR payload: `SW1:<SERIAL>:<KIND>:<CHECK>`, upper case so a QR code can use its
 * compact alphanumeric mode. The check (4 characters of a SHA-256) catches a label that was
 * mistyped or damaged; labels carry nothing secret.
 */
export function labelPayload(serial: string, kind: NodeKind): string {
  return `SW1:${serial.toUpperCase()}:${kind.toUpperCase()}:${labelCheck(serial, kind)}`;
}

function labelCheck(serial: string, kind: string): string {
  return createHash("sha256").update(`${serial}:${kind}`).digest("hex").slice(0, 4).toUpperCase();
}

/**
 * The serial a person or scanner gave: a serial (`a4cf12345678`), a MAC as printed
 * (`A4:CF:12:34:56:78`) or a label's QR payload.
 */
export function serialFromReference(text: string): string {
  const trimmed = text.trim();
  const label = /^SW1:([0-9A-F]{12}):([A-Z]+):([0-9A-F]{4})$/i.exec(trimmed);
  if (label) {
    const serial = label[1].toLowerCase();
    const kind = label[2].toLowerCase();
    if (!isNodeKind(kind) || labelCheck(serial, kind) !== label[3].toUpperCase()) {
      throw new FleetError(`the label "${trimmed}" does not check out: scan it again or type the serial`);
    }
    return serial;
  }
  const serial = serialFromMac(trimmed);
  if (serial && isSerial(serial)) return serial;
  throw new FleetError(`"${trimmed.slice(0, 60)}" is neither a serial (12 hex digits, the chip's MAC) nor a device label`);
}

export interface LabelRow {
  serial: string;
  kind: NodeKind;
  board: string;
  batch: string;
  state: string;
}

/** Labels as CSV (RFC 4180): serial, kind, board, batch, state, QR payload. */
export function labelsCsv(rows: readonly LabelRow[]): string {
  const lines = ["serial,kind,board,batch,state,qr"];
  for (const row of rows) {
    lines.push([row.serial, row.kind, row.board, row.batch, row.state, labelPayload(row.serial, row.kind)].map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
