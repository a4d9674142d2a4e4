import type {Point} from './history.js';

/**
 * A slice of a window's time, summarised per site: what growth (the lower envelope) and the percentile
 * comparison (the mean over every snapshot) read instead of every point of the window.
 */
export type Bucket = {
	/** Each site's minimum floor over the bucket's points. */
	min: Float32Array;
	/** Each site's mean times the snapshots it stands for, summed: merging aged points keeps it. */
	sum: Float64Array;
	/** Snapshots folded in (an aged point stands for several). */
	snapshots: number;
	/** Time of the bucket's first point. */
	readonly firstTime: number;
	/** Time of the last point folded in. */
	through: number;
};

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const targetBuckets = 12;
const gridSteps = [second, minute, hour].flatMap(unit => [1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 40].map(factor => factor * unit));

/**
 * The width of the buckets for a window of `span` ms: a round step giving 8 to 12 buckets, and a multiple of
 * `resolution`, the coarsest tier the window holds, so no merged point straddles two buckets.
 */
export function bucketStep(span: number, resolution: number): number {
	const wanted = span / targetBuckets;
	const step = gridSteps.find(candidate => candidate >= wanted) ?? Math.ceil(wanted / hour) * hour;
	return resolution > 0 ? Math.ceil(step / resolution) * resolution : step;
}

function emptyBucket(siteCount: number, firstTime: number): Bucket {
	return {min: new Float32Array(siteCount).fill(Number.POSITIVE_INFINITY), sum: new Float64Array(siteCount), snapshots: 0, firstTime, through: Number.NEGATIVE_INFINITY};
}

/** Makes room for sites first seen after the bucket was folded: its points held nothing for them. */
function widen(bucket: Bucket, siteCount: number): void {
	if (bucket.min.length < siteCount) {
		const min = new Float32Array(siteCount);
		min.set(bucket.min);
		bucket.min = min;
		const sum = new Float64Array(siteCount);
		sum.set(bucket.sum);
		bucket.sum = sum;
	}
}

function fold(bucket: Bucket, point: Point, siteCount: number): void {
	const {min, sum} = bucket;
	const {floor, mean, count} = point;
	const known = Math.min(floor.length, siteCount);
	for (let site = 0; site < known; site++) {
		if (floor[site]! < min[site]!) {
			min[site] = floor[site]!;
		}

		sum[site] += mean[site]! * count;
	}

	// A site the point predates held nothing then.
	for (let site = known; site < siteCount; site++) {
		if (min[site]! > 0) {
			min[site] = 0;
		}
	}

	bucket.snapshots += count;
	bucket.through = point.time;
}

/**
 * Buckets already folded, per grid step, so that each new snapshot costs one fold instead of a pass over the
 * whole window (a day of history is ~2,600 points × every site). A bucket is kept once it lies wholly inside a
 * window; the window's first bucket, cut by the window's start, is always folded afresh.
 */
export class BucketCache {
	private readonly byStep = new Map<number, Map<number, Bucket>>();
	private reshapes = 0;

	/** Forgets every bucket when the history merged settled points across buckets (History.reshapes). */
	sync(reshapes: number): void {
		if (reshapes !== this.reshapes) {
			this.byStep.clear();
			this.reshapes = reshapes;
		}
	}

	buckets(step: number, firstSlot: number): Map<number, Bucket> {
		const buckets = this.byStep.get(step) ?? new Map<number, Bucket>();
		// Windows switch between a handful of steps; keep the few used most recently (a Map keeps insertion order).
		this.byStep.delete(step);
		this.byStep.set(step, buckets);
		for (const old of [...this.byStep.keys()].slice(0, -4)) {
			this.byStep.delete(old);
		}

		for (const slot of buckets.keys()) {
			if (slot < firstSlot) {
				buckets.delete(slot);
			}
		}

		return buckets;
	}
}

function inTimeOrder(points: readonly Point[]): boolean {
	for (let index = 1; index < points.length; index++) {
		if (points[index]!.time <= points[index - 1]!.time) {
			return false;
		}
	}

	return true;
}

export type BucketOptions = {
	/** The coarsest tier resolution in the window (History.resolutionSince). */
	readonly resolution?: number;
	readonly cache?: BucketCache;
};

/** The window cut into buckets of a round step of time, in time order; only buckets holding points. */
export function windowBuckets(points: readonly Point[], siteCount: number, options: BucketOptions = {}): Bucket[] {
	if (points.length === 0) {
		return [];
	}

	const step = bucketStep(points.at(-1)!.time - points[0]!.time, options.resolution ?? 0);
	const firstSlot = Math.floor(points[0]!.time / step);
	const cached = options.cache !== undefined && inTimeOrder(points) ? options.cache.buckets(step, firstSlot) : undefined;
	const result: Bucket[] = [];
	let from = 0;
	while (from < points.length) {
		const slot = Math.floor(points[from]!.time / step);
		let to = from + 1;
		while (to < points.length && Math.floor(points[to]!.time / step) === slot) {
			to++;
		}

		let bucket = slot === firstSlot ? undefined : cached?.get(slot);
		if (bucket === undefined) {
			bucket = emptyBucket(siteCount, points[from]!.time);
			if (slot !== firstSlot) {
				cached?.set(slot, bucket);
			}
		} else {
			widen(bucket, siteCount);
		}

		for (let index = from; index < to; index++) {
			if (points[index]!.time > bucket.through) {
				fold(bucket, points[index]!, siteCount);
			}
		}

		result.push(bucket);
		from = to;
	}

	return result;
}
