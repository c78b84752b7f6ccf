/**
 * Percentile bootstrap over queries, deterministic: a seeded PRNG draws the resamples, and every statistic of one
 * report is computed on the same draws (so model and baseline are paired and their lift has an interval too).
 */
import { mulberry32 } from '../util/prng.js';
import type { Interval } from './report-types.js';

export const BOOTSTRAP_RESAMPLES = 1000;
export const BOOTSTRAP_SEED = 20111102;
/**
 * Coverage resamples cost |queries| x K each (a union of segments, not a sum): cap the total at about this many
 * user visits so a seed-scale run (K ~ 2,000) stays within a second or two; at least 100 resamples.
 */
export const COVERAGE_BOOTSTRAP_WORK = 300_000_000;

export function coverageResamplesFor(totalSegmentUsers: number, resamples: number): number {
  if (totalSegmentUsers <= 0) return resamples;
  return Math.max(Math.min(resamples, 100), Math.min(resamples, Math.floor(COVERAGE_BOOTSTRAP_WORK / totalSegmentUsers)));
}

/** Calls `fn` once per resample with n indices drawn uniformly with replacement from 0..n-1. */
export function forEachResample(n: number, resamples: number, seed: number, fn: (b: number, idx: Uint32Array) => void): void {
  const rand = mulberry32(seed);
  const idx = new Uint32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
    fn(b, idx);
  }
}

/** Quantile of an ascending array with linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}

export function percentileInterval(samples: Float64Array): Interval {
  if (samples.length === 0) return null;
  const s = Float64Array.from(samples).sort();
  return [quantile(s, 0.025), quantile(s, 0.975)];
}

/**
 * Resampled means of several per-query vectors on shared draws: result[m][b] is the mean of vector m over
 * resample b. Empty input gives empty sample arrays.
 */
export function bootstrapMeans(vectors: ReadonlyArray<ArrayLike<number>>, resamples: number, seed: number): Float64Array[] {
  const n = vectors[0]?.length ?? 0;
  const out = vectors.map(() => new Float64Array(n === 0 ? 0 : resamples));
  if (n === 0) return out;
  forEachResample(n, resamples, seed, (b, idx) => {
    for (let m = 0; m < vectors.length; m++) {
      const v = vectors[m]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += v[idx[i]!]!;
      out[m]![b] = s / n;
    }
  });
  return out;
}

/**
 * Interval of a ratio of two resampled means (lift). A resample whose denominator is 0 gives +Infinity, which
 * sorts last; a bound that lands there is reported as null ("unbounded").
 */
export function ratioInterval(num: Float64Array, den: Float64Array): [number | null, number | null] | null {
  if (num.length === 0) return null;
  const r = new Float64Array(num.length);
  for (let i = 0; i < num.length; i++) r[i] = den[i]! === 0 ? (num[i]! === 0 ? 0 : Infinity) : num[i]! / den[i]!;
  r.sort();
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return [finite(quantile(r, 0.025)), finite(quantile(r, 0.975))];
}

/**
 * Coverage (distinct users over all segments / train users) on each resample. Coverage is a union, not a mean:
 * a resample repeats queries and so covers fewer distinct users than the full set, which biases the raw
 * percentile interval low. The interval returned is therefore shifted by the bootstrap's own bias estimate
 * (mean of the resampled values minus the full-sample value), and documented as such in docs/report.md.
 */
export function coverageInterval(
  segments: ReadonlyArray<Uint32Array>,
  /** Users are numbered 0..indexSpace-1. */
  indexSpace: number,
  /** Train users: coverage's denominator. */
  userCount: number,
  resamples: number,
  seed: number,
  full: number,
): Interval {
  const n = segments.length;
  if (n === 0 || userCount === 0) return null;
  const stamp = new Uint32Array(indexSpace);
  // A segment drawn twice in one resample (a repeated query, or queries sharing one segment object as the
  // popularity baseline's do) adds no user the second time: skip it, which saves a third of the work or more.
  const canonical = new Map<Uint32Array, number>();
  const segmentId = segments.map((s) => {
    let id = canonical.get(s);
    if (id === undefined) canonical.set(s, (id = canonical.size));
    return id;
  });
  const drawn = new Uint32Array(canonical.size);
  const values = new Float64Array(resamples);
  forEachResample(n, resamples, seed, (b, idx) => {
    const mark = b + 1;
    let distinct = 0;
    for (let i = 0; i < n; i++) {
      const id = segmentId[idx[i]!]!;
      if (drawn[id] === mark) continue;
      drawn[id] = mark;
      const seg = segments[idx[i]!]!;
      for (let j = 0; j < seg.length; j++) {
        const u = seg[j]!;
        if (stamp[u] !== mark) {
          stamp[u] = mark;
          distinct++;
        }
      }
    }
    values[b] = distinct / userCount;
  });
  const bias = values.reduce((s, v) => s + v, 0) / resamples - full;
  const ci = percentileInterval(values);
  if (!ci) return null;
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return [clamp(ci[0] - bias), clamp(ci[1] - bias)];
}
