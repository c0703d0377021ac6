/** Percentile (nearest-rank on a sorted copy), in the samples' unit. */
export function percentile(samples, p) {
  if (!samples.length) return null;
  const s = [...samples].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}
export const median = (xs) => percentile(xs, 50);
/** { n, p50, p99, mean } of latency samples in ms. */
export function summary(samples) {
  return {
    n: samples.length,
    p50: round(percentile(samples, 50)),
    p99: round(percentile(samples, 99)),
    mean: samples.length ? round(samples.reduce((a, b) => a + b, 0) / samples.length) : null,
  };
}
export function round(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
