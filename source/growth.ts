import type {Point} from './series.js';

export type Growth = {
	/** Slope of the site's lower envelope (Theil–Sen), bytes per minute. */
	readonly bytesPerMinute: number;
	/** Mann–Kendall score of the lower envelope, -1 (always falling) .. 1 (always rising). */
	readonly trend: number;
	readonly suspect: boolean;
};

export type GrowthOptions = {
	/** Sampling interval in bytes: growth of a few samples is indistinguishable from noise. */
	readonly samplingInterval: number;
};

const noGrowth: Growth = {bytesPerMinute: 0, trend: 0, suspect: false};
const minimumPoints = 6;
const minimumSpanMs = 8000;
const sustainedTrend = 0.6;
const heapShareFloor = 0.005;
const samplesFloor = 4;

/** Median of the pairwise slopes and the Mann–Kendall score of (time, value) pairs. */
export function theilSen(times: ArrayLike<number>, values: ArrayLike<number>, scratch?: Float64Array): {slope: number; trend: number} {
	const pairs = (times.length * (times.length - 1)) / 2;
	const slopes = scratch !== undefined && scratch.length >= pairs ? scratch : new Float64Array(pairs);
	let count = 0;
	let concordant = 0;
	let discordant = 0;
	for (let i = 0; i < times.length; i++) {
		for (let j = i + 1; j < times.length; j++) {
			const dt = times[j]! - times[i]!;
			const dv = values[j]! - values[i]!;
			if (dt > 0) {
				slopes[count++] = dv / dt;
			}

			if (dv > 0) {
				concordant++;
			} else if (dv < 0) {
				discordant++;
			}
		}
	}

	if (count === 0) {
		return {slope: 0, trend: 0};
	}

	const sorted = slopes.subarray(0, count).sort();
	const middle = count >> 1;
	const slope = count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
	return {slope, trend: (concordant - discordant) / pairs};
}

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const targetBuckets = 12;
const gridSteps = [second, minute, hour].flatMap(unit => [1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 40].map(factor => factor * unit));

/**
 * The width of the envelope's buckets for a window of `span` ms: a round step giving 8 to 12 buckets, and a
 * multiple of `resolution`, the coarsest tier the window holds, so no merged point straddles two buckets.
 */
export function bucketStep(span: number, resolution: number): number {
	const wanted = span / targetBuckets;
	const step = gridSteps.find(candidate => candidate >= wanted) ?? Math.ceil(wanted / hour) * hour;
	return resolution > 0 ? Math.ceil(step / resolution) * resolution : step;
}

type Bucket = {
	/** Each site's minimum floor over the bucket's points. */
	min: Float32Array;
	/** Time of the bucket's first point. */
	readonly firstTime: number;
	/** Time of the last point folded in. */
	through: number;
};

function emptyBucket(siteCount: number, firstTime: number): Bucket {
	return {min: new Float32Array(siteCount).fill(Number.POSITIVE_INFINITY), firstTime, through: Number.NEGATIVE_INFINITY};
}

function fold(bucket: Bucket, point: Point, siteCount: number): void {
	const {min} = bucket;
	const {floor} = point;
	const known = Math.min(floor.length, siteCount);
	for (let site = 0; site < known; site++) {
		if (floor[site]! < min[site]!) {
			min[site] = floor[site]!;
		}
	}

	// A site the point predates held nothing then.
	for (let site = known; site < siteCount; site++) {
		if (min[site]! > 0) {
			min[site] = 0;
		}
	}

	bucket.through = point.time;
}

/**
 * Envelope buckets already folded, per grid step, so that each new snapshot costs one fold instead of a scan
 * of the whole window (a day of history is ~2,600 points × every site). A bucket is cached once it lies wholly
 * inside a window; the window's first bucket, cut by the window's start, is always folded afresh.
 */
export class EnvelopeCache {
	private readonly byStep = new Map<number, Map<number, Bucket>>();
	private reshapes = 0;

	/** Forgets every bucket when the history merged settled points across buckets. */
	sync(reshapes: number): void {
		if (reshapes !== this.reshapes) {
			this.byStep.clear();
			this.reshapes = reshapes;
		}
	}

	buckets(step: number, firstSlot: number): Map<number, Bucket> {
		let buckets = this.byStep.get(step);
		if (buckets === undefined) {
			buckets = new Map();
			this.byStep.set(step, buckets);
			// Windows switch between a handful of steps; keep the few most recent.
			for (const old of [...this.byStep.keys()].slice(0, -4)) {
				this.byStep.delete(old);
			}
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

/** Each bucket of the window in time order, with each site's minimum floor in it. */
function envelopeBuckets(points: readonly Point[], siteCount: number, step: number, cache: EnvelopeCache | undefined): Bucket[] {
	const firstSlot = Math.floor(points[0]!.time / step);
	const cached = cache !== undefined && inTimeOrder(points) ? cache.buckets(step, firstSlot) : undefined;
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
		} else if (bucket.min.length < siteCount) {
			const wider = new Float32Array(siteCount);
			wider.set(bucket.min);
			bucket.min = wider;
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

export type WindowGrowthOptions = GrowthOptions & {
	/** The coarsest tier resolution in the window (History.resolutionSince). */
	readonly resolution?: number;
	readonly cache?: EnvelopeCache;
};

/**
 * Growth of every site over a window of points. A leak raises a site's floor; a spike (a big allocation
 * released seconds later) raises only a few points. So the window is cut into buckets of a round step of time,
 * each represented by its minimum (the lower envelope), and the envelope's slope is taken with Theil–Sen, which
 * ignores a minority of outliers. A site is a suspect when its envelope rises consistently (Mann–Kendall) and
 * by more than a noise floor relative to the heap and the sampling interval, and still rises in the window's
 * second half.
 */
export function growthBySite(points: readonly Point[], siteCount: number, options: WindowGrowthOptions): Growth[] {
	const result: Growth[] = Array.from({length: siteCount}, () => noGrowth);
	if (points.length < minimumPoints || siteCount === 0) {
		return result;
	}

	const span = points.at(-1)!.time - points[0]!.time;
	if (span < minimumSpanMs) {
		return result;
	}

	// Buckets of about a poll while history is short: halving six points to three buckets would let a cache
	// filled during the first poll weigh as much as a steady leak.
	const buckets = envelopeBuckets(points, siteCount, bucketStep(span, options.resolution ?? 0), options.cache);
	if (buckets.length < 3) {
		return result;
	}

	let heapSum = 0;
	let heapCount = 0;
	for (const point of points) {
		if (Number.isFinite(point.gauges.heapUsed)) {
			heapSum += point.gauges.heapUsed;
			heapCount++;
		}
	}

	const meanHeap = heapCount === 0 ? points.reduce((sum, point) => sum + point.total, 0) / points.length : heapSum / heapCount;
	const noiseFloor = Math.max(heapShareFloor * meanHeap, samplesFloor * options.samplingInterval);
	const bucketTimes = buckets.map(bucket => bucket.firstTime);
	const values = new Float64Array(buckets.length);
	const scratch = new Float64Array((buckets.length * (buckets.length - 1)) / 2);
	for (let site = 0; site < siteCount; site++) {
		let flat = true;
		for (const [index, bucket] of buckets.entries()) {
			values[index] = bucket.min[site]!;
			flat &&= values[index] === values[0];
		}

		if (flat) {
			continue;
		}

		const {slope, trend} = theilSen(bucketTimes, values, scratch);
		if (slope === 0 && trend === 0) {
			continue;
		}

		const grown = slope * (bucketTimes.at(-1)! - bucketTimes[0]!);
		// A start-up fill (a cache built once) rises early and then stays flat: a leak still rises late.
		const lateRise = values[values.length - 1]! - values[values.length >> 1]!;
		result[site] = {
			bytesPerMinute: slope * 60_000,
			trend,
			suspect: slope > 0 && trend >= sustainedTrend && grown >= noiseFloor && lateRise >= noiseFloor / 3,
		};
	}

	return result;
}
