/** An alarm as the API and the live stream present it. */
export interface AlarmRecord {
  id: number;
  nodeId: string;
  bootId: number;
  seq: number;
  nodeTimeMs: number;
  kind: string;
  severity: string;
  state: string;
  value: number;
  unit: string;
  threshold: number;
  evidence: number[] | null;
  receivedAt: string;
}
