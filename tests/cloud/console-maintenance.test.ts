import { describe, expect, it } from "vitest";
import { alignSeries } from "../../cloud/console/app/ui/align-series";
import {
  ALARM_KIND_WORDS,
  CAMPAIGN_STATUS_WORDS,
  COMMAND_STATUS_WORDS,
  COMMAND_WORDS,
  ELEVATOR_EVENT_WORDS,
  MEMBER_STATE_WORDS,
  NODE_KIND_WORDS,
  PROBLEM_WORDS,
  RELEASED_WORDS,
  SENSOR_STATE_WORDS,
  duration,
} from "../../cloud/console/app/ui/maintenance-words";
import { zhCN } from "../../cloud/console/app/i18n/zh-CN";
import { MEMBER_STATES } from "../../cloud/ota/campaign-engine";
import { CAMPAIGN_STATUSES, COMMAND_STATUSES } from "../../cloud/db/schema";
import { NODE_PROBLEMS } from "../../cloud/nodes/list-queries";
import { ALARM_KINDS } from "../../shared/alarms";
import { ELEVATOR_EVENTS, RELEASED_BY } from "../../shared/events";
import { COMMAND_OPS, SENSOR_STATES } from "../../shared/messages";
import { NODE_KINDS } from "../../shared/node-kinds";

describe("console words for nodes, locks and updates", () => {
  it("has words for every code the server and the nodes can send", () => {
    const families: Array<[string, Record<string, string>, readonly string[]]> = [
      ["alarm kind", ALARM_KIND_WORDS, ALARM_KINDS],
      ["problem", PROBLEM_WORDS, NODE_PROBLEMS],
      ["node kind", NODE_KIND_WORDS, [...NODE_KINDS, "smoke"]],
      ["command", COMMAND_WORDS, COMMAND_OPS],
      ["command status", COMMAND_STATUS_WORDS, COMMAND_STATUSES],
      ["sensor state", SENSOR_STATE_WORDS, SENSOR_STATES],
      ["hold ended by", RELEASED_WORDS, RELEASED_BY],
      ["elevator event", ELEVATOR_EVENT_WORDS, ELEVATOR_EVENTS],
      ["campaign status", CAMPAIGN_STATUS_WORDS, CAMPAIGN_STATUSES],
      ["campaign member state", MEMBER_STATE_WORDS, MEMBER_STATES],
    ];
    for (const [family, table, codes] of families) {
      for (const code of codes) {
        expect(table[code], `${family} ${code}`).toBeDefined();
        expect(Object.keys(zhCN), `${family} ${code}`).toContain(table[code]);
      }
    }
  });

  it("says durations as a crew reads them", () => {
    expect(duration(45_000)).toBe("45 秒");
    expect(duration(3 * 60_000 + 20_000)).toBe("3 分钟");
    expect(duration(2 * 3_600_000 + 5 * 60_000)).toBe("2 小时 5 分钟");
    expect(duration(3 * 86_400_000)).toBe("3 天");
  });
});

describe("chart series alignment", () => {
  it("joins a node's 2-minute heartbeats in 1-minute buckets into one line, and breaks it across an outage", () => {
    const minute = 60_000;
    const t = [0, 2, 4, 6, 30, 32].map((m) => m * minute);
    const { t: times, values } = alignSeries(minute, [{ t, v: [1, 2, 3, 4, 5, 6] }, { t: [2 * minute], v: [9] }]);
    // One null inserted in the 24-minute silence, none between the 2-minute beats.
    expect(values[0]).toEqual([1, 2, 3, 4, null, 5, 6]);
    expect(times[4]).toBe(8 * minute);
    expect(values[1]).toEqual([null, 9, null, null, null, null, null]);
  });

  it("draws nothing for no data", () => {
    expect(alignSeries(60_000, [undefined])).toEqual({ t: [], values: [[]] });
  });
});
