// One core's share of a simulated slow host (bench/slow-host.ts starts one per core, pinned and
// real-time): busy for about `burstMs`, then asleep, so that it takes `busyPercent` of the core
// on average. Each burst and each sleep is drawn from half to one and a half of its mean, so the
// bursts land anywhere in what the bench measures. Plain JavaScript: it runs without tsx.
const [busyPercent, burstMs] = process.argv.slice(2).map(Number);
const jitter = () => 0.5 + Math.random();
const burst = () => {
  const busy = burstMs * jitter();
  const end = performance.now() + busy;
  while (performance.now() < end);
  setTimeout(burst, (busy * (100 - busyPercent)) / busyPercent * jitter());
};
burst();
