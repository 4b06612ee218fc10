/**
 * Robust statistics: the median and the median absolute deviation (MAD) are moved by a few extreme
 * values far less than the mean and standard deviation, so one splurge does not hide the next.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/** 0.6745 = the 75th percentile of the standard normal: makes the MAD comparable to a standard deviation. */
const MAD_SCALE = 0.6745;
/** With MAD 0 (over half the values equal), the mean absolute deviation scaled to a normal's σ. */
const MEAN_AD_SCALE = 1.2533;

export interface RobustScale {
  readonly center: number;
  /** Comparable to a standard deviation; 0 only when every value is the same. */
  readonly spread: number;
}

export function robustScale(values: readonly number[]): RobustScale {
  const center = median(values);
  const deviation = mad(values);
  if (deviation > 0) return { center, spread: deviation / MAD_SCALE };
  const meanAbs = values.reduce((sum, v) => sum + Math.abs(v - center), 0) / Math.max(values.length, 1);
  return { center, spread: meanAbs * MEAN_AD_SCALE };
}

/** How many robust standard deviations `value` lies from the center; 0 when the values do not vary. */
export function robustZ(value: number, scale: RobustScale): number {
  if (!(scale.spread > 0)) return 0;
  return (value - scale.center) / scale.spread;
}
