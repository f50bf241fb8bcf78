/**
 * A node's reading in the words staff use, for incident summaries, SMS and voice: what was
 * measured, in its real unit, against its alarm line. The node's codes ("1180 raw", `ntc`,
 * `level`) stay in the alarm record and the console's details view for crews.
 *
 * Smoke is reported by the chamber in ADC counts, which have no physical unit without a lab
 * calibration per chamber; staff read it as a level against the alarm line instead.
 */
export interface ReadingWords {
  zh: string;
  en: string;
}

export interface Reading {
  kind: string;
  value: number;
  unit: string;
  threshold: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Seconds as staff say them: seconds under two minutes, whole minutes above. */
function duration(seconds: number): ReadingWords {
  return seconds < 120 ? { zh: `${Math.round(seconds)} 秒`, en: `${Math.round(seconds)} s` } : { zh: `${Math.round(seconds / 60)} 分钟`, en: `${Math.round(seconds / 60)} min` };
}

/** "1180 of 710" → 166: how far the reading stands against its alarm line. */
function percentOfLine(value: number, threshold: number): number {
  return threshold > 0 ? Math.round((value / threshold) * 100) : 0;
}

export function readingWords({ kind, value, unit, threshold }: Reading): ReadingWords {
  switch (kind) {
    case "smoke": {
      const p = percentOfLine(value, threshold);
      return { zh: `烟雾浓度为报警线的 ${p}%`, en: `smoke at ${p}% of its alarm level` };
    }
    case "heat":
    case "cable-overheat":
    case "cabinet-temperature": {
      const what = kind === "heat" ? { zh: "温度", en: "temperature" } : kind === "cable-overheat" ? { zh: "线缆温度", en: "cable temperature" } : { zh: "柜内温度", en: "cabinet temperature" };
      return { zh: `${what.zh} ${round1(value)} °C（报警线 ${round1(threshold)} °C）`, en: `${what.en} ${round1(value)} °C (alarm at ${round1(threshold)} °C)` };
    }
    case "leakage":
      return { zh: `剩余电流 ${round1(value)} mA（报警线 ${round1(threshold)} mA）`, en: `residual current ${round1(value)} mA (alarm at ${round1(threshold)} mA)` };
    case "overcurrent":
      return { zh: `电流 ${round1(value)} A（额定 ${round1(threshold)} A）`, en: `current ${round1(value)} A (rated ${round1(threshold)} A)` };
    case "charge-overrun":
      return { zh: `充电电流 ${round1(value)} A，超过正常充电时长`, en: `charging at ${round1(value)} A past a normal charge's length` };
    case "charge-pack-fault":
      return { zh: `充电电流异常跳变 ${round1(value)} A，电池可能有故障`, en: `charging current jumped by ${round1(value)} A: the pack may be failing` };
    case "lock-max-hold": {
      const held = duration(value);
      const limit = duration(threshold);
      return { zh: `电梯已被拦停 ${held.zh}（上限 ${limit.zh}）`, en: `elevator held for ${held.en} (limit ${limit.en})` };
    }
    case "detector-lost": {
      const silent = duration(value / 1000);
      return { zh: `电动车识别器 ${silent.zh}没有回应`, en: `e-bike detector silent for ${silent.en}` };
    }
    case "relay-fault":
      return { zh: "电梯管控继电器的反馈与指令不符，需要维修", en: "the elevator lock's relay disagrees with its command: needs repair" };
    case "aed-removed":
      return { zh: "AED 已被取出", en: "AED taken out" };
    case "door-left-open":
      return { zh: `舱门已开 ${value} 分钟（上限 ${threshold} 分钟）`, en: `door open ${value} min (limit ${threshold} min)` };
    case "battery-low":
      return { zh: `备用电池 ${round1(value)} V（低于 ${round1(threshold)} V）`, en: `backup battery ${round1(value)} V (below ${round1(threshold)} V)` };
    case "sensor-fault":
      return { zh: "传感器故障，需要维修", en: "sensor fault: needs repair" };
    default:
      // A kind no node raises yet: the number, without a unit code staff could not read.
      return { zh: `读数 ${round1(value)}（报警线 ${round1(threshold)}）`, en: `reading ${round1(value)} (alarm line ${round1(threshold)})` };
  }
}
