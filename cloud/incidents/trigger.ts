import type { AlarmRecord } from "../alarms/alarm-record";

/** What can open or feed an incident: a stored node alarm, or a resident's report. */
export type Trigger =
  | {
      source: "alarm";
      alarm: AlarmRecord;
      receivedAtMs: number;
      /** Taken up from the database at start (or after a failure), not from the live feed: an earlier run may have died part-way through it. */
      resumed?: boolean;
    }
  | {
      source: "report";
      reportId: number;
      placeId: string;
      description: string;
      atMs: number;
      /** Called with the incident the report went into. */
      done(incidentId: number | null): void;
    };
