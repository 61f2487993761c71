/** A latency histogram cheap enough to record every delivery: 0.1 ms buckets up to 30 s. */
const BUCKET_MS = 0.1;
const BUCKETS = 300_000;

export class Histogram {
  private counts = new Uint32Array(BUCKETS + 1);
  count = 0;
  max = 0;
  sum = 0;

  record(ms: number): void {
    const value = ms < 0 ? 0 : ms;
    const bucket = Math.min(BUCKETS, Math.floor(value / BUCKET_MS));
    this.counts[bucket]!++;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
    this.sum = 0;
  }

  /** Sparse form for IPC: [bucket, count] pairs. */
  toSparse(): SparseHistogram {
    const pairs: number[] = [];
    for (let i = 0; i <= BUCKETS; i++) if (this.counts[i]) pairs.push(i, this.counts[i]!);
    return { pairs, count: this.count, max: this.max, sum: this.sum };
  }

  merge(sparse: SparseHistogram): void {
    for (let i = 0; i < sparse.pairs.length; i += 2) this.counts[sparse.pairs[i]!]! += sparse.pairs[i + 1]!;
    this.count += sparse.count;
    this.sum += sparse.sum;
    this.max = Math.max(this.max, sparse.max);
  }

  percentile(p: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, (i + 1) * BUCKET_MS);
    }
    return this.max;
  }
}

export interface SparseHistogram {
  pairs: number[];
  count: number;
  max: number;
  sum: number;
}

/** Wall clock with sub-millisecond resolution, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function round(value: number | null, digits = 1): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
