/**
 * Aligns downsampled series on one time axis: the union of their bucket starts, null where a
 * series has no bucket, and a null gap wherever nothing came for more than three times the usual
 * spacing (and at least two buckets), so an outage shows as a break rather than a line drawn
 * across it, while a node that reports every 2 minutes into 1-minute buckets still draws a line.
 */
export function alignSeries(bucketMs: number, series: Array<{ t: number[]; v: number[] } | undefined>): { t: number[]; values: Array<Array<number | null>> } {
  const times = [...new Set(series.flatMap((s) => s?.t ?? []))].sort((a, b) => a - b);
  const spacings = times.slice(1).map((time, i) => time - times[i]).sort((a, b) => a - b);
  const usual = spacings.length ? spacings[Math.floor(spacings.length / 2)] : bucketMs;
  const gapMs = Math.max(2 * bucketMs, 3 * usual);
  const withGaps: number[] = [];
  for (const time of times) {
    const previous = withGaps[withGaps.length - 1];
    if (previous !== undefined && time - previous > gapMs) withGaps.push(previous + usual);
    withGaps.push(time);
  }
  const values = series.map((s) => {
    const byTime = new Map<number, number>();
    s?.t.forEach((time, i) => byTime.set(time, s.v[i]));
    return withGaps.map((time) => byTime.get(time) ?? null);
  });
  return { t: withGaps, values };
}
